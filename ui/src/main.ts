import { mount } from 'svelte';
import App from './App.svelte';
import { commands } from './bindings';
import { marks } from './lib/marks.svelte';
import './app.css';

mount(App, { target: document.getElementById('app')! });
// Two animation frames after mounting, the first frame is on screen: the start-up figure.
// The answer says whether the benchmarks' marks are on.
requestAnimationFrame(() =>
  requestAnimationFrame(() =>
    void commands.appPainted('first').then((on) => {
      marks.on = on;
    }),
  ),
);

import { mount } from 'svelte';
import App from './App.svelte';
import { commands } from './bindings';
import './app.css';

mount(App, { target: document.getElementById('app')! });
// Two animation frames after mounting, the first frame is on screen: the start-up figure.
requestAnimationFrame(() => requestAnimationFrame(() => void commands.appPainted('first')));

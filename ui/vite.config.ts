import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The webview's build: static files in ui/dist, loaded by Tauri from the app itself.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: { target: 'safari15', outDir: 'dist', emptyOutDir: true },
});

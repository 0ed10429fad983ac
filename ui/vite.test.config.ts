/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The UI tests' build: the app behind Tauri's IPC mocks (test/harness.html), in test-dist.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  logLevel: 'warn',
  build: { target: 'es2022', outDir: 'test-dist', emptyOutDir: true, rollupOptions: { input: 'test/harness.html' } },
  test: { include: ['test/unit/**/*.test.ts'], environment: 'node' },
});

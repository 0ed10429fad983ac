// Two animation frames after the page loaded: its first frame is on screen.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('painted', { stage: 'first' })));

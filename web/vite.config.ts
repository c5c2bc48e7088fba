// Builds the UI into web/dist, which Atrium serves under /portal/ (web.assets_dir). Everything the
// page loads comes from that folder: no CDN, no web fonts, no inline scripts or styles (the server
// sends `Content-Security-Policy: default-src 'self'; img-src 'self' data:`).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/portal/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill is a script Vite would add to the entry; every browser we test has modulepreload.
    modulePreload: { polyfill: false },
    // No inlined `data:` scripts or fonts: every asset is a file of its own.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});

// The web UI's build: one directory (dist/) that the projection serves on its origin (README, "Web UI").
// Everything it loads is in the build: no CDN, no font or script from elsewhere (the projection's CSP
// allows only 'self'). `npm run dev -w @vle/web` proxies the API to a running `npm start`.

import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const api = process.env.VLE_TASKS_URL ?? 'http://127.0.0.1:3002';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The CSP has no 'unsafe-inline': nothing may be inlined into index.html.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': { target: api, changeOrigin: true } } },
});

// Vite config of the portal: built into web/dist (served by Express at /); the dev server proxies /api.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// Dev only: where `npm run dev:api` listens (the same PORT the server reads; 3000 by default).
const apiPort = Number(process.env.PORT ?? 3000);

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: { '/api': { target: `http://localhost:${apiPort}`, changeOrigin: false } },
    // The portal imports the wire schemas from ../shared.
    fs: { allow: [repoRoot] },
  },
});

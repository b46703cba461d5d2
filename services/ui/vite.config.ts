import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The api service serves dist/ at `/`; `vite` (dev) proxies the API to a running `tide all` (API_URL, default :8083).
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': process.env.API_URL ?? 'http://127.0.0.1:8083', '/auth': process.env.API_URL ?? 'http://127.0.0.1:8083' } },
});

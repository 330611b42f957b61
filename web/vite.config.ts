import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The built client is served by parley-server at "/", so asset URLs are absolute from the root.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 2000 },
  server: {
    // `npm run dev` talks to a parley-server on :3001 for the API and WebSocket.
    proxy: {
      '/api': { target: 'http://127.0.0.1:3001', ws: true },
      '/servers.json': 'http://127.0.0.1:3001',
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});

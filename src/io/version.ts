/** The library version written into model files (kept in step with package.json by a test). */
export const LIBRARY_VERSION = '0.1.0';

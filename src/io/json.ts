/** Whole JSON files are written by the safe-write module (atomic, redacted, clear I/O errors). */
export { writeJsonAtomic } from './safe-write.js';

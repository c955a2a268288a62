// Types for checkpoint.mjs (plain JS, shared with the checkpoint thread).
import type { Database } from "better-sqlite3";

export declare function makeCheckpoint(db: Database, restartFrames: number): () => void;

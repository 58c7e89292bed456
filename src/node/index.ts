// Node-only adapters: files, worker threads.
export { readTable } from './read-table.js';
export { readXlsx } from './read-xlsx.js';
export { readJsonl } from './read-jsonl.js';
export { readParquet } from './read-parquet.js';
export { fileSource, checkReadable } from './source.js';
export { writeFileAtomic, readJsonFile, freshDir } from './files.js';
export { WorkerHistogramPool } from './histogram-pool.js';
export { WorkerForestPool } from './forest-pool.js';
export { WorkerTrialPool } from './trial-pool.js';
export { checkOnnx, type OnnxCheck } from './onnx-check.js';

// Importing this module registers every built-in technique.
export * from './contract.js';
export { register, technique, listTechniques, hasTechnique } from './registry.js';
export { resolveParams, parseParamText, defaults } from './params.js';
export { dropColumns } from './drop-columns.js';
export { dropDuplicates } from './drop-duplicates.js';
export { impute } from './impute.js';
export { oneHot } from './one-hot.js';
export { ordinal } from './ordinal.js';
export { standardScale } from './scale.js';
export { datetimeParts } from './datetime-parts.js';
export { gbdt, setGbdtPool } from './gbdt.js';
export { linear } from './linear.js';
export { randomForest, extraTrees, setForestRunner } from './forest.js';
export { knn } from './knn.js';
export { naiveBayes } from './naive-bayes.js';
export { calibrated } from './calibrated.js';

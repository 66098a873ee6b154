/// <reference types="@webgpu/types" preserve="true" />
// The package's browser entry (`import … from 'downhill'` in a bundler for the browser): WebGPU through
// navigator.gpu, the CPU backends, training, in-memory, synthetic and File/Blob sources, model files and predict.
// Nothing here imports Node modules or Dawn's `webgpu` package.
export type { Backend, BackendKind, ChunkStore, TrainSession } from './backend';
export { WebGpuBackend, type WebGpuOptions } from './gpu/backend';
export { CpuBackend } from './cpu/backend';
export { webCpuBackend } from './cpu/simd_web';
export { SimdCpuBackend } from './cpu/simd_backend';

export { train, trainResident, uploadDataset, type ResidentData } from './train/train';
export { type TrainOptions } from './train/plan';
export { type TrainResult, type EpochReport, type Progress } from './train/report';
export { DivergedError, type DivergenceCause } from './train/health';
export { InputError } from './train/inputs';
export { predict, predictChunk, type Predictions } from './train/predict';

export type { Dataset, HostChunk } from './core/dataset';
export { memorySource, type DataSource, type ReadOptions } from './data/source';
export { DataError } from './data/csv';
export { csvSourceFromBlob } from './data/blob_source';
export type { CsvSource, CsvStreamOptions } from './data/csv_stream';
export { ParquetSource, blobAsyncBuffer, type ParquetOptions } from './data/parquet';
export { linearDataset, lineDataset, type SyntheticDataset, type SyntheticOptions } from './data/synthetic';
export { classesDataset, blobsDataset } from './data/synthetic_classes';
export { syntheticSource } from './data/synthetic_stream';

export { toModelFile, parseModelFile, type ModelFile, type LoadedModel } from './core/model_file';
export type { ModelParams, Standardization } from './core/model';
export type { Metrics, RegressionMetrics, ClassificationMetrics } from './core/metrics';
export { parseTrainSpec, TRAIN_OPTIONS, type TrainSpec } from './core/spec';
export { OptionError } from './core/options';
export { LOSS_NAMES, type LossKind } from './core/losses';
export { PENALTY_NAMES, type PenaltyKind } from './core/penalties';

// @tapegrad/nn — the one public entry.
// Modules and layers
export { Module, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from './module/module.js';
export { Sequential } from './module/sequential.js';
export { functionalCall } from './module/functional-call.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Conv2d, type Conv2dLayerOptions } from './layers/conv2d.js';
export { MaxPool2d, AvgPool2d, type PoolLayerOptions, type AvgPoolLayerOptions } from './layers/pooling.js';
export { ReLU, Sigmoid, Tanh } from './layers/activations.js';
export { Flatten } from './layers/flatten.js';
export { Dropout } from './layers/dropout.js';
export { LocalResponseNorm, type LocalResponseNormLayerOptions } from './layers/local-response-norm.js';
// Initialization
export {
  normal,
  uniform,
  he,
  xavier,
  pytorchDefault,
  zerosInit,
  parameter,
  weightInit,
  fanIn,
  type Initializer,
  type InitOptions,
  type WeightInitStd,
  type FloatDType,
} from './init/init.js';
export { manualSeed, type SeedOptions } from './init/seeding.js';
// Losses
export { crossEntropyLoss, CrossEntropyLoss, type ClassTargets } from './losses/cross-entropy-loss.js';
export { mseLoss, MSELoss } from './losses/mse-loss.js';
// Optimizers
export { Optimizer, type OptimizerState } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Momentum, type MomentumOptions } from './optim/momentum.js';
export { Nesterov, type NesterovOptions } from './optim/nesterov.js';
export { AdaGrad, type AdaGradOptions } from './optim/adagrad.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { LRScheduler, CosineAnnealingLR, StepLR, type ScheduledOptimizer, type CosineAnnealingOptions, type StepLROptions } from './optim/lr-scheduler.js';
// Models
export { SimpleConvNet, type SimpleConvNetOptions } from './models/simple-convnet.js';
export { LeNet5, type LeNet5Options } from './models/lenet5.js';
export { AlexNet, type AlexNetOptions } from './models/alexnet.js';
// Checkpoints (safetensors)
export * from './checkpoint/index.js';
export * from './viz/index.js';
export * from './train/index.js';

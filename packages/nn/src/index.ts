/**
 * @x/nn: `Module` and `Parameter`, containers, layers, the functional API (`functional`, also
 * `F`), `init` and `utils` — PyTorch's `torch.nn` in TypeScript.
 */
import * as functional from "./functional/index.js";
import * as init from "./init.js";
import * as utils from "./utils.js";

export { ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential } from "./containers.js";
export {
  type BackwardHook,
  type ForwardHook,
  type ForwardPreHook,
  Module,
  type RemovableHandle,
} from "./module.js";
export * from "./modules/index.js";
export { Parameter } from "./parameter.js";
export { loadSafetensors, saveSafetensors } from "./serialization.js";
export { loadTorchStateDict, UnpicklingError } from "./torchLoad.js";
export { functional, functional as F, init, utils };

/** The model kinds heatbath files can hold; importing this module registers them with the loader. */
import { DenoisingModel } from '../models/dtm';
import { GenerativeComputer } from '../models/gtc';
import { IsingModel } from '../models/ising';
import { LangevinNetwork } from '../models/langevin-network';
import { RBM } from '../models/rbm';
import { registerModelKind } from './model-file';

registerModelKind('rbm', 1, (file) => RBM.fromModelFile(file));
registerModelKind('gtc', 1, (file) => GenerativeComputer.fromModelFile(file));
registerModelKind('dtm', 1, (file) => DenoisingModel.fromModelFile(file));
registerModelKind('ising', 1, (file) => IsingModel.fromModelFile(file));
registerModelKind('langevin', 1, (file) => LangevinNetwork.fromModelFile(file));

/** The model kinds heatbath files can hold; importing this module registers them with the loader. */
import { DenoisingModel } from './dtm';
import { GenerativeComputer } from './gtc';
import { IsingModel } from './ising';
import { LangevinNetwork } from '../engines/langevin-network';
import { RBM } from './rbm';
import { registerModelKind } from '../io/model-file';

registerModelKind('rbm', 1, (file) => RBM.fromModelFile(file));
registerModelKind('gtc', 1, (file) => GenerativeComputer.fromModelFile(file));
registerModelKind('dtm', 1, (file) => DenoisingModel.fromModelFile(file));
registerModelKind('ising', 1, (file) => IsingModel.fromModelFile(file));
registerModelKind('langevin', 1, (file) => LangevinNetwork.fromModelFile(file));

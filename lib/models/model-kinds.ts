/** The model kinds heatbath files can hold; importing this module registers them with the loader. */
import { DenoisingModel } from './dtm';
import { GenerativeComputer } from './gtc';
import { RBM } from './rbm';
import { registerModelKind } from '../io/model-file';

registerModelKind('rbm', 1, (file) => RBM.fromModelFile(file));
registerModelKind('gtc', 1, (file) => GenerativeComputer.fromModelFile(file));
registerModelKind('dtm', 1, (file) => DenoisingModel.fromModelFile(file));

// Child process of the cross-process resume test (run with `--import ../support/register.mjs`):
//   child.mjs train <epochs> <outDir>                 fresh run of <epochs> epochs
//   child.mjs resume <epochs> <outDir> <checkpoint>   continues a saved run up to <epochs>
//   child.mjs resume-fresh-optimizer <epochs> <outDir> <checkpoint>
//                                                     the same, but throws the restored Adam state away
//                                                     (the negative control: the test must see it)
// Every mode writes the Trainer's checkpoint into <outDir> and prints one JSON line
// { history, testAccuracy, startEpoch } on stdout.
import { Adam } from '@tapegrad/nn';
import { RUN, makeTrainer } from './run-setup.ts';

const [mode, epochsArg, outDir, from] = process.argv.slice(2);
const epochs = Number(epochsArg);
const trainer = makeTrainer(epochs, outDir);
if (mode !== 'train') {
  await trainer.restore(from);
  if (mode === 'resume-fresh-optimizer') trainer.optimizer.loadStateDict(new Adam(trainer.model.parameters(), { lr: RUN.lr }).stateDict());
  else if (mode !== 'resume') throw new Error(`unknown mode ${mode}`);
}
const startEpoch = trainer.epoch;
const { history, testAccuracy } = await trainer.fit();
process.stdout.write(`${JSON.stringify({ history, testAccuracy, startEpoch })}\n`);

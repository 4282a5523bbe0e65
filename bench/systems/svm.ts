/**
 * Benchmark child: TF-IDF (word 1–2 + char_wb 2–5) + LinearSVC, run by bench/peers/svm.py under /usr/bin/python3.
 * `tsx bench/systems/svm.ts --dataset NAME --out FILE [--quick] [--seed N]`
 */
import { loadDataset } from '../lib/bench-data.ts';
import { parseChildArgs } from '../lib/child-args.ts';
import { runPythonPeer } from '../lib/python-peer.ts';
import { writeResult } from '../lib/result.ts';

const args = parseChildArgs('svm');
const ds = loadDataset(args.dataset, args.quick, args.seed);
writeResult(args.out, await runPythonPeer('svm', 'svm.py', ds, args));

/**
 * Benchmark child: fastText (Debian's `fasttext` binary trains, python3-fasttext serves), driven by
 * bench/peers/fasttext_peer.py under /usr/bin/python3.
 * `tsx bench/systems/fasttext.ts --dataset NAME --out FILE [--quick] [--seed N]`
 */
import { loadDataset } from '../lib/bench-data.ts';
import { parseChildArgs } from '../lib/child-args.ts';
import { runPythonPeer } from '../lib/python-peer.ts';
import { writeResult } from '../lib/result.ts';

const args = parseChildArgs('fasttext');
const ds = loadDataset(args.dataset, args.quick, args.seed);
writeResult(args.out, await runPythonPeer('fasttext', 'fasttext_peer.py', ds, args));

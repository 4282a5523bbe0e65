/**
 * Trains one embedding-bag tower (hashed features → embedding bag → hidden layer → logits) with Adam, dropout and label
 * smoothing, deterministic for a seed.
 */
import type { FeatureBag } from '../nlu/features/featurizer-config.ts';
import type { LabelMode, TowerWeights } from '../nlu/intent/intent-weights.ts';
import type { Random } from '../util/random.ts';

/** Optimisation settings of one tower. */
export interface TowerHyper {
  mode: LabelMode;
  learningRate: number;
  dropout: number;
  labelSmoothing: number;
  weightDecay: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

/** Adam moments of one parameter array. */
class Moments {
  readonly m: Float32Array;
  readonly v: Float32Array;
  constructor(n: number) {
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
  }
}

/**
 * Trains one embedding-bag tower with mini-batch Adam: dense Adam (decoupled weight decay) on the hidden and output
 * layers, lazy (sparse) Adam on the embedding rows a batch touched. Dropout after the bag and after the hidden layer;
 * softmax cross-entropy with label smoothing (single-label) or sigmoid binary cross-entropy (multi-label).
 */
export class TowerTrainer {
  readonly w: TowerWeights;
  private readonly hp: TowerHyper;
  private readonly rng: Random;
  private step = 0;
  // Optimiser state.
  private readonly mE: Moments;
  private readonly mW1?: Moments;
  private readonly mB1?: Moments;
  private readonly mW2: Moments;
  private readonly mB2: Moments;
  // Gradient accumulators.
  private readonly gW1?: Float32Array;
  private readonly gB1?: Float32Array;
  private readonly gW2: Float32Array;
  private readonly gB2: Float32Array;
  private readonly rowSlot: Int32Array;
  private touched: Int32Array;
  private gE: Float32Array;
  private nTouched = 0;
  // Per-example scratch.
  private wts = new Float32Array(256);
  private readonly e: Float32Array;
  private readonly h0: Float32Array;
  private readonly mask0: Float32Array;
  private readonly z1: Float32Array;
  private readonly h1: Float32Array;
  private readonly mask1: Float32Array;
  private readonly dl: Float32Array;
  private readonly dh1: Float32Array;
  private readonly dh0: Float32Array;

  constructor(
    shape: { buckets: number; dim: number; hidden: number; labels: number },
    idf: Float32Array,
    hp: TowerHyper,
    rng: Random,
  ) {
    const { buckets: V, dim: D, hidden: H, labels: C } = shape;
    this.hp = hp;
    this.rng = rng;
    const embedding = new Float32Array(V * D);
    const a = Math.sqrt(3 / D);
    for (let i = D; i < embedding.length; i++) embedding[i] = (rng.next() * 2 - 1) * a;
    const inW2 = H > 0 ? H : D;
    const he = (n: number, fanIn: number) => {
      const out = new Float32Array(n);
      const s = Math.sqrt(2 / fanIn);
      for (let i = 0; i < n; i++) out[i] = rng.normal() * s;
      return out;
    };
    this.w = {
      dim: D,
      hidden: H,
      labels: C,
      buckets: V,
      embedding,
      idf,
      ...(H > 0 ? { w1: he(D * H, D), b1: new Float32Array(H) } : {}),
      w2: he(inW2 * C, inW2).map((x) => x * 0.5),
      b2: new Float32Array(C),
    };
    this.mE = new Moments(V * D);
    this.mW2 = new Moments(inW2 * C);
    this.mB2 = new Moments(C);
    this.gW2 = new Float32Array(inW2 * C);
    this.gB2 = new Float32Array(C);
    if (H > 0) {
      this.mW1 = new Moments(D * H);
      this.mB1 = new Moments(H);
      this.gW1 = new Float32Array(D * H);
      this.gB1 = new Float32Array(H);
    }
    this.rowSlot = new Int32Array(V).fill(-1);
    this.touched = new Int32Array(4096);
    this.gE = new Float32Array(4096 * D);
    this.e = new Float32Array(D);
    this.h0 = new Float32Array(D);
    this.mask0 = new Float32Array(D);
    this.dh0 = new Float32Array(D);
    this.z1 = new Float32Array(Math.max(H, 1));
    this.h1 = new Float32Array(Math.max(H, 1));
    this.mask1 = new Float32Array(Math.max(H, 1));
    this.dh1 = new Float32Array(Math.max(H, 1));
    this.dl = new Float32Array(C);
  }

  /** Normalised feature weights of a bag (count × idf, L2-normalised) into `this.wts`. */
  private bagWeights(bag: FeatureBag): void {
    const n = bag.ids.length;
    if (this.wts.length < n) this.wts = new Float32Array(n * 2);
    const { idf } = this.w;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const x = bag.counts[i] * idf[bag.ids[i]];
      this.wts[i] = x;
      ss += x * x;
    }
    const inv = 1 / Math.max(Math.sqrt(ss), 1e-6);
    for (let i = 0; i < n; i++) this.wts[i] *= inv;
  }

  /** Forward pass into the scratch buffers; returns the logits buffer (valid until the next call). */
  private forward(bag: FeatureBag, train: boolean, logits: Float32Array): void {
    const { dim: D, hidden: H, labels: C, embedding: E, w2, b2 } = this.w;
    const p = train ? this.hp.dropout : 0;
    const keep = 1 / (1 - p);
    this.bagWeights(bag);
    const e = this.e;
    e.fill(0);
    for (let i = 0; i < bag.ids.length; i++) {
      const row = bag.ids[i] * D;
      const wi = this.wts[i];
      for (let d = 0; d < D; d++) e[d] += wi * E[row + d];
    }
    const h0 = this.h0;
    for (let d = 0; d < D; d++) {
      const m = p > 0 ? (this.rng.next() < p ? 0 : keep) : 1;
      this.mask0[d] = m;
      h0[d] = e[d] > 0 ? e[d] * m : 0;
    }
    let top: Float32Array = h0;
    let nTop = D;
    if (H > 0) {
      const { w1, b1 } = this.w as Required<TowerWeights>;
      const z1 = this.z1;
      z1.set(b1);
      for (let d = 0; d < D; d++) {
        const x = h0[d];
        if (x === 0) continue;
        const row = d * H;
        for (let h = 0; h < H; h++) z1[h] += x * w1[row + h];
      }
      for (let h = 0; h < H; h++) {
        const m = p > 0 ? (this.rng.next() < p ? 0 : keep) : 1;
        this.mask1[h] = m;
        this.h1[h] = z1[h] > 0 ? z1[h] * m : 0;
      }
      top = this.h1;
      nTop = H;
    }
    logits.set(b2);
    for (let j = 0; j < nTop; j++) {
      const x = top[j];
      if (x === 0) continue;
      const row = j * C;
      for (let c = 0; c < C; c++) logits[c] += x * w2[row + c];
    }
  }

  /** Logits of one bag without dropout, into `out` (length C). */
  logits(bag: FeatureBag, out: Float32Array): Float32Array {
    this.forward(bag, false, out);
    return out;
  }

  /** Registers an embedding row as touched in this batch; returns its slot in `gE`. */
  private slotOf(row: number): number {
    let s = this.rowSlot[row];
    if (s >= 0) return s;
    s = this.nTouched++;
    if (s >= this.touched.length) {
      const t = new Int32Array(this.touched.length * 2);
      t.set(this.touched);
      this.touched = t;
      const g = new Float32Array(this.gE.length * 2);
      g.set(this.gE);
      this.gE = g;
    }
    this.touched[s] = row;
    this.rowSlot[row] = s;
    this.gE.fill(0, s * this.w.dim, (s + 1) * this.w.dim);
    return s;
  }

  /**
   * One forward/backward pass for one example, accumulating gradients. `target` is a label index (single) or a 0/1
   * vector (multi). Returns the loss.
   */
  private accumulate(bag: FeatureBag, target: number | Float32Array, logits: Float32Array): number {
    const { dim: D, hidden: H, labels: C, w2 } = this.w;
    this.forward(bag, true, logits);
    const dl = this.dl;
    let loss = 0;
    if (this.hp.mode === 'single') {
      const t = target as number;
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (logits[c] > max) max = logits[c];
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c] - max);
      const logZ = max + Math.log(sum);
      const ls = this.hp.labelSmoothing;
      for (let c = 0; c < C; c++) {
        const q = (c === t ? 1 - ls : 0) + ls / C;
        const logp = logits[c] - logZ;
        dl[c] = Math.exp(logp) - q;
        if (q > 0) loss -= q * logp;
      }
    } else {
      const y = target as Float32Array;
      for (let c = 0; c < C; c++) {
        const z = logits[c];
        const pr = 1 / (1 + Math.exp(-z));
        dl[c] = pr - y[c];
        // Stable binary cross-entropy: max(z,0) − z·y + log(1 + e^−|z|).
        loss += Math.max(z, 0) - z * y[c] + Math.log1p(Math.exp(-Math.abs(z)));
      }
    }
    const top = H > 0 ? this.h1 : this.h0;
    const nTop = H > 0 ? H : D;
    const dTop = H > 0 ? this.dh1 : this.dh0;
    for (let c = 0; c < C; c++) this.gB2[c] += dl[c];
    for (let j = 0; j < nTop; j++) {
      const x = top[j];
      if (x === 0) {
        dTop[j] = 0;
        continue;
      }
      const row = j * C;
      let acc = 0;
      for (let c = 0; c < C; c++) {
        this.gW2[row + c] += x * dl[c];
        acc += w2[row + c] * dl[c];
      }
      dTop[j] = acc;
    }
    const dh0 = this.dh0;
    if (H > 0) {
      const w1 = this.w.w1!;
      const gW1 = this.gW1!;
      const gB1 = this.gB1!;
      const dz = this.dh1;
      for (let h = 0; h < H; h++) {
        dz[h] = this.h1[h] > 0 ? dz[h] * this.mask1[h] : 0;
        gB1[h] += dz[h];
      }
      for (let d = 0; d < D; d++) {
        const x = this.h0[d];
        if (x === 0) {
          dh0[d] = 0;
          continue;
        }
        const row = d * H;
        let acc = 0;
        for (let h = 0; h < H; h++) {
          const g = dz[h];
          if (g === 0) continue;
          gW1[row + h] += x * g;
          acc += w1[row + h] * g;
        }
        dh0[d] = acc;
      }
    }
    // Through ReLU and dropout of the bag: h0 = relu(e) * mask0.
    for (let d = 0; d < D; d++) dh0[d] = this.h0[d] > 0 ? dh0[d] * this.mask0[d] : 0;
    const gE = this.gE;
    for (let i = 0; i < bag.ids.length; i++) {
      const base = this.slotOf(bag.ids[i]) * D;
      const wi = this.wts[i];
      for (let d = 0; d < D; d++) gE[base + d] += wi * dh0[d];
    }
    return loss;
  }

  /** Trains on one mini-batch with learning rate `lr`; returns the mean loss. */
  trainBatch(bags: FeatureBag[], targets: (number | Float32Array)[], lr: number, logits: Float32Array): number {
    let loss = 0;
    for (let i = 0; i < bags.length; i++) loss += this.accumulate(bags[i], targets[i], logits);
    const scale = 1 / bags.length;
    this.step++;
    const bc1 = 1 - BETA1 ** this.step;
    const bc2 = 1 - BETA2 ** this.step;
    const wd = this.hp.weightDecay;
    adam(this.w.w2, this.gW2, this.mW2, scale, lr, bc1, bc2, wd);
    adam(this.w.b2, this.gB2, this.mB2, scale, lr, bc1, bc2, 0);
    if (this.w.hidden > 0) {
      adam(this.w.w1!, this.gW1!, this.mW1!, scale, lr, bc1, bc2, wd);
      adam(this.w.b1!, this.gB1!, this.mB1!, scale, lr, bc1, bc2, 0);
    }
    this.sparseAdam(scale, lr, bc1, bc2);
    return loss * scale;
  }

  /** Lazy Adam on the embedding rows touched by the batch; clears their slots. */
  private sparseAdam(scale: number, lr: number, bc1: number, bc2: number): void {
    const D = this.w.dim;
    const E = this.w.embedding;
    const { m, v } = this.mE;
    for (let s = 0; s < this.nTouched; s++) {
      const row = this.touched[s];
      const base = row * D;
      const gBase = s * D;
      for (let d = 0; d < D; d++) {
        const g = this.gE[gBase + d] * scale;
        const k = base + d;
        m[k] = BETA1 * m[k] + (1 - BETA1) * g;
        v[k] = BETA2 * v[k] + (1 - BETA2) * g * g;
        E[k] -= (lr * (m[k] / bc1)) / (Math.sqrt(v[k] / bc2) + EPS);
      }
      this.rowSlot[row] = -1;
    }
    this.nTouched = 0;
  }

  /** A deep copy of the current weights (for early stopping). */
  snapshot(): TowerWeights {
    const w = this.w;
    return {
      ...w,
      embedding: w.embedding.slice(),
      w1: w.w1?.slice(),
      b1: w.b1?.slice(),
      w2: w.w2.slice(),
      b2: w.b2.slice(),
    };
  }
}

/** Dense Adam step with decoupled weight decay; zeroes the gradient. */
function adam(
  p: Float32Array,
  g: Float32Array,
  mo: Moments,
  scale: number,
  lr: number,
  bc1: number,
  bc2: number,
  wd: number,
): void {
  const { m, v } = mo;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * scale;
    m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
    v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
    p[i] -= lr * (m[i] / bc1 / (Math.sqrt(v[i] / bc2) + EPS) + wd * p[i]);
    g[i] = 0;
  }
}

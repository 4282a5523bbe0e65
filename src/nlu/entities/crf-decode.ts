/**
 * Linear-chain CRF decoding over BIO tags: Viterbi (best valid tag sequence) and forward–backward (per-token tag
 * marginals and log Z). Invalid BIO moves (`O → I-X`, `B-X → I-Y`, start → `I-X`) are forbidden outright, so every
 * decoded sequence is well-formed. Scores: `emissions[t*K + y]`, `transitions[a*K + b]` (tag a then b), `start[y]`,
 * `end[y]`.
 */

/** The CRF's parameters besides the emissions (which the ONNX graph computes per message). */
export interface CrfParams {
  tags: readonly string[];
  transitions: Float32Array | Float64Array;
  start: Float32Array | Float64Array;
  end: Float32Array | Float64Array;
}

/** allowed[a*K + b]: may tag b follow tag a; allowedStart[b]: may a sentence begin with b. */
export function bioConstraints(tags: readonly string[]): { allowed: Uint8Array; allowedStart: Uint8Array } {
  const k = tags.length;
  const allowed = new Uint8Array(k * k);
  const allowedStart = new Uint8Array(k);
  for (let b = 0; b < k; b++) {
    const inside = tags[b].startsWith('I-');
    allowedStart[b] = inside ? 0 : 1;
    for (let a = 0; a < k; a++) {
      allowed[a * k + b] = !inside || (tags[a] !== 'O' && tags[a].slice(2) === tags[b].slice(2)) ? 1 : 0;
    }
  }
  return { allowed, allowedStart };
}

const NEG = Number.NEGATIVE_INFINITY;

function logSumExp(xs: Float64Array, n: number): number {
  let max = NEG;
  for (let i = 0; i < n; i++) if (xs[i] > max) max = xs[i];
  if (max === NEG) return NEG;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(xs[i] - max);
  return max + Math.log(sum);
}

/** The highest-scoring valid tag sequence (tag indexes). */
export function viterbi(
  emissions: ArrayLike<number>,
  n: number,
  p: CrfParams,
  c: ReturnType<typeof bioConstraints>,
): Int32Array {
  const k = p.tags.length;
  const path = new Int32Array(n);
  if (n === 0) return path;
  const score = new Float64Array(n * k);
  const back = new Int32Array(n * k);
  for (let y = 0; y < k; y++) score[y] = c.allowedStart[y] ? p.start[y] + emissions[y] : NEG;
  for (let t = 1; t < n; t++) {
    for (let b = 0; b < k; b++) {
      let best = NEG;
      let arg = 0;
      for (let a = 0; a < k; a++) {
        if (!c.allowed[a * k + b]) continue;
        const v = score[(t - 1) * k + a] + p.transitions[a * k + b];
        if (v > best) [best, arg] = [v, a];
      }
      score[t * k + b] = best + emissions[t * k + b];
      back[t * k + b] = arg;
    }
  }
  let best = NEG;
  for (let y = 0; y < k; y++) {
    const v = score[(n - 1) * k + y] + p.end[y];
    if (v > best) [best, path[n - 1]] = [v, y];
  }
  for (let t = n - 1; t > 0; t--) path[t - 1] = back[t * k + path[t]];
  return path;
}

/** Forward and backward log-scores (`alpha`, `beta`, `[n*K]`) and log Z. */
export function forwardBackward(
  emissions: ArrayLike<number>,
  n: number,
  p: CrfParams,
  c: ReturnType<typeof bioConstraints>,
): { alpha: Float64Array; beta: Float64Array; logZ: number } {
  const k = p.tags.length;
  const alpha = new Float64Array(n * k);
  const beta = new Float64Array(n * k);
  const tmp = new Float64Array(k);
  for (let y = 0; y < k; y++) alpha[y] = c.allowedStart[y] ? p.start[y] + emissions[y] : NEG;
  for (let t = 1; t < n; t++) {
    for (let b = 0; b < k; b++) {
      for (let a = 0; a < k; a++) {
        tmp[a] = c.allowed[a * k + b] ? alpha[(t - 1) * k + a] + p.transitions[a * k + b] : NEG;
      }
      alpha[t * k + b] = logSumExp(tmp, k) + emissions[t * k + b];
    }
  }
  for (let y = 0; y < k; y++) beta[(n - 1) * k + y] = p.end[y];
  for (let t = n - 2; t >= 0; t--) {
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        tmp[b] = c.allowed[a * k + b]
          ? p.transitions[a * k + b] + emissions[(t + 1) * k + b] + beta[(t + 1) * k + b]
          : NEG;
      }
      beta[t * k + a] = logSumExp(tmp, k);
    }
  }
  for (let y = 0; y < k; y++) tmp[y] = alpha[(n - 1) * k + y] + p.end[y];
  return { alpha, beta, logZ: n > 0 ? logSumExp(tmp, k) : 0 };
}

/** Per-token tag marginals `P(y_t = y | sentence)`, `[n*K]`. */
export function marginals(
  emissions: ArrayLike<number>,
  n: number,
  p: CrfParams,
  c: ReturnType<typeof bioConstraints>,
): Float64Array {
  const k = p.tags.length;
  const { alpha, beta, logZ } = forwardBackward(emissions, n, p, c);
  const out = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) out[i] = Math.exp(alpha[i] + beta[i] - logZ);
  return out;
}

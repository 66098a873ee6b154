// Measuring parameters against the exact optimum, from the factor alone: the optimality gap and coefficient distance
// (--gap), and the Newton preconditioner (--precondition) in the units the model trains in.
import type { ModelParams } from '../model';
import { factorWeight, leading, type ExactSolution } from './least_squares';
import { normUpperSq, solveUpper, solveUpperT } from './triangular';
import { addDiagonal } from './tsqr';

/** Internal parameters (b + μ₀·w − ȳ₀, w) of original-unit parameters. */
function internal(sol: ExactSolution, p: ModelParams): Float64Array {
  const { d, bias, shift, yShift } = sol.factor;
  const t = new Float64Array(sol.q);
  const off = bias ? 1 : 0;
  for (let j = 0; j < d; j++) t[j + off] = p.weights[j];
  if (bias) {
    let b = p.bias[0] - yShift;
    for (let j = 0; j < d; j++) b += shift[j] * p.weights[j];
    t[0] = b;
  }
  return t;
}

/** How far parameters (original units) are from the optimum. */
export interface Gap {
  /** (objective − objective*) / objective* (the excess itself when objective* is 0). */
  gap: number;
  /** objective − objective*, exact from R: ‖R(θ − θ*)‖²/N. */
  excess: number;
  /** ‖w − w*‖ / ‖w*‖ over the weights (‖w − w*‖ when w* = 0). */
  distance: number;
}

/** The optimality gap of parameters in original units. */
export function gapOf(sol: ExactSolution, p: ModelParams): Gap {
  const diff = internal(sol, p);
  for (let i = 0; i < sol.q; i++) diff[i] -= sol.theta[i];
  const excess = normUpperSq(sol.hessianR, sol.q, diff) / factorWeight(sol.factor);
  let dw = 0;
  let ws = 0;
  for (let j = 0; j < sol.factor.d; j++) {
    dw += (p.weights[j] - sol.params.weights[j]) ** 2;
    ws += sol.params.weights[j] ** 2;
  }
  return {
    gap: sol.objective > 0 ? excess / sol.objective : excess,
    excess,
    distance: ws > 0 ? Math.sqrt(dw / ws) : Math.sqrt(dw),
  };
}

/**
 * The Newton preconditioner in the model's units: g ↦ H⁻¹g for H = (c/N)·AᵀA + α·diag(1/s²) in internal units
 * (c = 2: the squared loss's Hessian, so a step of rate 1 lands on the optimum), mapped through the change of units
 * θ_int = T·θ_model. Columns set aside as collinear (without a ridge) are not moved. g is (b, w) or (w): q values.
 */
export function preconditioner(sol: ExactSolution, curvature: number): (g: Float64Array) => Float64Array {
  const { d, bias, p, r, shift } = sol.factor;
  const n = factorWeight(sol.factor);
  const q = sol.q;
  const off = bias ? 1 : 0;
  const lambda = new Float64Array(p);
  for (let j = 0; j < d; j++) lambda[j + off] = (n * sol.alpha) / (curvature * sol.scale[j] ** 2);
  const red = sol.alpha > 0 ? null : sol.reduced;
  const rl = red ? null : leading(addDiagonal(r, p, lambda), p, q);
  // θ_int = T·θ_model: w_int_j = s_j·w_model_j; b_int = b_model + Σ s_j·(μ₀_j − m_j)·w_model_j.
  const cj = Float64Array.from({ length: d }, (_, j) => sol.scale[j] * (shift[j] - sol.center[j]));
  return (g) => {
    // u = T⁻ᵀ g.
    const u = new Float64Array(q);
    if (bias) u[0] = g[0];
    for (let j = 0; j < d; j++) u[j + off] = (g[j + off] - (bias ? cj[j] * g[0] : 0)) / sol.scale[j];
    let v: Float64Array;
    if (rl) v = solveUpper(rl, q, solveUpperT(rl, q, u));
    else {
      const k = red!.kept.length;
      const sub = solveUpper(red!.t, k, solveUpperT(red!.t, k, red!.kept.map((c) => u[c])));
      v = new Float64Array(q);
      red!.kept.forEach((c, i) => (v[c] = sub[i]));
    }
    for (let i = 0; i < q; i++) v[i] *= n / curvature;
    // out = T⁻¹ v.
    const out = new Float64Array(q);
    for (let j = 0; j < d; j++) out[j + off] = v[j + off] / sol.scale[j];
    if (bias) {
      out[0] = v[0];
      for (let j = 0; j < d; j++) out[0] -= cj[j] * out[j + off];
    }
    return out;
  };
}

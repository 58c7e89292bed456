import type { Tree } from '../../engine/gbdt/tree.js';
import { ML, type OnnxGraph } from './graph.js';
import { DataType } from './proto.js';

/** One tree and its leaf outputs: `weights(node)` gives [target, weight] pairs for a leaf. */
export interface TreeOutputs {
  readonly tree: Tree;
  readonly weights: (node: number) => readonly (readonly [number, number])[];
}

/**
 * Trees as one `ai.onnx.ml.TreeEnsembleRegressor` summing leaf weights per target, over an [N, p]
 * double input whose categorical features hold training bins (-1 missing, -2 unseen).
 * Thresholds and leaf weights are double tensors, so splits compare exactly as Glassbox does.
 * A numeric split is BRANCH_LEQ (x <= threshold goes left) with missing values sent where the tree
 * sends them; a categorical split becomes a chain of BRANCH_EQ nodes, one per bin that goes left
 * (-1 among them when missing values go left), whose last node sends every other bin right. Returns
 * the [N, targets] sums as doubles (the operator's output is float).
 */
export function treeEnsemble(
  g: OnnxGraph,
  X: string,
  trees: readonly TreeOutputs[],
  targets: number,
  /** Per feature: the bins its categories map to, or null for a numeric feature. */
  categoricalBins: readonly (readonly number[] | null)[],
): string {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tTarget: number[] = [];
  const tWeight: number[] = [];
  const push = (ti: number, id: number, f: number, mode: string, v: number, t: number, fa: number, miss: number) => {
    treeIds.push(ti);
    nodeIds.push(id);
    featureIds.push(f);
    modes.push(mode);
    values.push(v);
    trueIds.push(t);
    falseIds.push(fa);
    missingTrue.push(miss);
  };
  trees.forEach(({ tree: t, weights }, ti) => {
    // Chain nodes get ids after the tree's own, which keep their index; the root (0) comes first.
    let next = t.nNodes;
    for (let i = 0; i < t.nNodes; i++) {
      const f = t.feature[i];
      if (f < 0) {
        push(ti, i, 0, 'LEAF', 0, 0, 0, 0);
        for (const [target, w] of weights(i)) {
          tTree.push(ti);
          tNode.push(i);
          tTarget.push(target);
          tWeight.push(w);
        }
        continue;
      }
      const bins = categoricalBins[f];
      if (bins === null) {
        push(ti, i, f, 'BRANCH_LEQ', t.threshold[i], t.left[i], t.right[i], t.defaultLeft[i]);
        continue;
      }
      const off = t.catOffset[i];
      const left = bins.filter((b) => (t.catBits[off + (b >>> 5)] & (1 << (b & 31))) !== 0);
      if (t.defaultLeft[i] === 1) left.push(-1);
      if (left.length === 0) {
        // Nothing goes left: every bin (all >= -2) fails x <= -3.
        push(ti, i, f, 'BRANCH_LEQ', -3, t.left[i], t.right[i], 0);
        continue;
      }
      left.forEach((b, j) => {
        const id = j === 0 ? i : next - 1;
        const falseId = j === left.length - 1 ? t.right[i] : next++;
        push(ti, id, f, 'BRANCH_EQ', b, t.left[i], falseId, 0);
      });
    }
  });
  const y = g.node(
    'TreeEnsembleRegressor',
    [X],
    {
      n_targets: { i: targets },
      aggregate_function: { s: 'SUM' },
      post_transform: { s: 'NONE' },
      nodes_treeids: { ints: treeIds },
      nodes_nodeids: { ints: nodeIds },
      nodes_featureids: { ints: featureIds },
      nodes_modes: { strings: modes },
      nodes_values_as_tensor: { t: { dims: [values.length], dataType: DataType.DOUBLE, numbers: values } },
      nodes_truenodeids: { ints: trueIds },
      nodes_falsenodeids: { ints: falseIds },
      nodes_missing_value_tracks_true: { ints: missingTrue },
      target_treeids: { ints: tTree },
      target_nodeids: { ints: tNode },
      target_ids: { ints: tTarget },
      target_weights_as_tensor: { t: { dims: [tWeight.length], dataType: DataType.DOUBLE, numbers: tWeight } },
    },
    { domain: ML, hint: 'trees' },
  )[0];
  return g.toDouble(y);
}

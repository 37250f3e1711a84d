/**
 * How big the network diagram is drawn: the spacing between columns and the
 * size of the neuron squares, chosen so the whole network fits the width it
 * has. Spacing gives way first (down to a gap the links stay readable in),
 * then the squares shrink; with room to spare the squares grow and the
 * spacing stops at a maximum, so a wide screen shows a bigger diagram rather
 * than empty space. Pure arithmetic, tested in Node.
 */

export interface NetLayout {
  /** Side of a neuron square, px. */
  node: number;
  /** Width of a hidden layer's column (its controls above the squares), px. */
  col: number;
  /** Space between columns, where the links run, px. */
  gap: number;
  /** Width of the feature labels left of the feature squares, px. */
  label: number;
  /** Width of the output column, px. */
  out: number;
  /** The diagram's whole width, px; more than the available width only when nothing smaller is readable. */
  width: number;
}

export const NODE = { min: 24, normal: 38, max: 48 } as const;
const LABEL = 42;
/** Grid padding (both sides), the feature squares' borders and a pixel of rounding. */
const PAD = 12;

/** A hidden layer's column: wide enough for its +/- buttons and selects, and a bit wider than its squares. */
function colWidth(node: number, touch: boolean): number {
  return touch ? Math.max(72, node + 30) : Math.max(52, Math.min(72, node + 26));
}

function outWidth(node: number): number {
  return Math.max(56, node + 12);
}

function widthOf(node: number, hidden: number, gap: number, touch: boolean): number {
  return PAD + LABEL + node + hidden * colWidth(node, touch) + outWidth(node) + (hidden + 1) * gap;
}

/**
 * The layout for `hidden` hidden layers in `available` px. On touch screens the
 * squares stay at least 32 px and the gaps leave room for the 32 px bias targets.
 */
export function fitNetwork(available: number, hidden: number, touch = false): NetLayout {
  const gaps = hidden + 1;
  const minGap = touch ? 28 : 20;
  const maxGap = 180;
  const minNode = touch ? 32 : NODE.min;
  const gapAt = (node: number) => (available - widthOf(node, hidden, 0, touch)) / gaps;
  let node: number = NODE.normal;
  let gap = gapAt(node);
  if (gap > maxGap) {
    // Room to spare: bigger squares, as long as the spacing stays at its maximum.
    while (node < NODE.max && gapAt(node + 2) >= maxGap) node += 2;
    gap = maxGap;
  } else if (gap < minGap) {
    while (node > minNode && gapAt(node) < minGap) node -= 2;
    gap = Math.max(minGap, gapAt(node));
  }
  gap = Math.floor(gap);
  return { node, col: colWidth(node, touch), gap, label: LABEL, out: outWidth(node), width: widthOf(node, hidden, gap, touch) };
}

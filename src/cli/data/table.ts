/**
 * A loaded table of examples before it becomes X and Y: feature columns,
 * the target column, and how categorical columns were encoded (so predict can
 * encode new data the same way).
 */

/** How one raw input column becomes feature rows. */
export type ColumnEncoding =
  | { readonly kind: 'numeric'; readonly name: string }
  | { readonly kind: 'oneHot'; readonly name: string; readonly categories: readonly string[] };

/** The target column as read. */
export type TargetColumn =
  | { readonly kind: 'numeric'; readonly name: string; readonly values: Float64Array }
  | { readonly kind: 'labels'; readonly name: string; readonly values: readonly string[] };

/** The features in the course's layout plus the target column. */
export interface Table {
  /** (n_x, m) row-major: one row per (encoded) feature. */
  readonly features: Float32Array;
  readonly featureNames: readonly string[];
  readonly m: number;
  readonly columns: readonly ColumnEncoding[];
  readonly target: TargetColumn | null;
  readonly notes: string[];
  /** Where each example came from, when that names it better than its row number (an image file's path). */
  readonly rowNames?: readonly string[];
}

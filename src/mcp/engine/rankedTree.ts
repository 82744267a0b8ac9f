/**
 * An ordered set that knows each item's rank: an AVL tree whose nodes count their subtree.
 * Insert, remove, rank and select each walk one root-to-leaf path, at most about 1.44·log2(n)
 * nodes, whatever the order items arrive in.
 *
 * Why this and not the alternatives: the scheduler orders by any numeric priority, then arrival,
 * and moves an entry when its priority changes. A Fenwick tree needs a fixed, dense key space
 * (arrival ranks per priority level), so unbounded priorities or arrivals would mean rebuilding
 * or compressing it; a treap or skip list balances only in expectation, so a bound on the work
 * of one operation could not be tested deterministically. An AVL tree's height bound holds for
 * every sequence, which is what `visits` lets the tests check.
 */
interface TreeNode<T> {
  readonly item: T;
  left: TreeNode<T> | undefined;
  right: TreeNode<T> | undefined;
  height: number;
  /** Nodes in this subtree, itself included. */
  size: number;
}

export class RankedTree<T> {
  private root: TreeNode<T> | undefined;
  /** Nodes looked at so far, by every operation: how the tests bound the work of one operation without timing it. */
  visits = 0;

  /** `compare` must order every two distinct items strictly (no ties), and an item's key must not change while it is in the tree. */
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.root?.size ?? 0;
  }

  /** Adds the item and returns its rank (how many items come before it). */
  insert(item: T): number {
    this.root = this.insertInto(this.root, item);
    return this.rankOf(item);
  }

  /** Removes the item (found by `compare`); false when it is not in the tree. */
  remove(item: T): boolean {
    const before = this.size;
    this.root = this.removeFrom(this.root, item);
    return this.size < before;
  }

  /** How many items come before this one (whether or not it is in the tree). */
  rankOf(item: T): number {
    let rank = 0;
    let node = this.root;
    while (node) {
      this.visits++;
      const order = this.compare(item, node.item);
      if (order <= 0) {
        if (order === 0) return rank + sizeOf(node.left);
        node = node.left;
      } else {
        rank += sizeOf(node.left) + 1;
        node = node.right;
      }
    }
    return rank;
  }

  /** The item of this rank, or undefined past the end. */
  at(rank: number): T | undefined {
    let node = this.root;
    let index = rank;
    while (node) {
      this.visits++;
      const left = sizeOf(node.left);
      if (index < left) node = node.left;
      else if (index === left) return node.item;
      else {
        index -= left + 1;
        node = node.right;
      }
    }
    return undefined;
  }

  first(): T | undefined {
    return this.at(0);
  }

  /** The items in order, starting at this rank; each step visits O(1) nodes on average. */
  *from(rank: number): Generator<T> {
    // The path to the starting node, keeping only the nodes still to come (those we went left at).
    const pending: TreeNode<T>[] = [];
    let node = this.root;
    let index = rank;
    while (node) {
      this.visits++;
      const left = sizeOf(node.left);
      if (index < left) {
        pending.push(node);
        node = node.left;
      } else if (index === left) {
        pending.push(node);
        break;
      } else {
        index -= left + 1;
        node = node.right;
      }
    }
    while (pending.length > 0) {
      const next = pending.pop()!;
      yield next.item;
      for (let child = next.right; child; child = child.left) {
        this.visits++;
        pending.push(child);
      }
    }
  }

  clear(): void {
    this.root = undefined;
  }

  private insertInto(node: TreeNode<T> | undefined, item: T): TreeNode<T> {
    if (!node) return { item, left: undefined, right: undefined, height: 1, size: 1 };
    this.visits++;
    if (this.compare(item, node.item) < 0) node.left = this.insertInto(node.left, item);
    else node.right = this.insertInto(node.right, item);
    return rebalance(node);
  }

  private removeFrom(node: TreeNode<T> | undefined, item: T): TreeNode<T> | undefined {
    if (!node) return undefined;
    this.visits++;
    const order = this.compare(item, node.item);
    if (order < 0) node.left = this.removeFrom(node.left, item);
    else if (order > 0) node.right = this.removeFrom(node.right, item);
    else {
      if (!node.left) return node.right;
      if (!node.right) return node.left;
      // Two children: the next item in order takes this node's place.
      let successor = node.right;
      while (successor.left) {
        this.visits++;
        successor = successor.left;
      }
      successor.right = this.removeLeftmost(node.right);
      successor.left = node.left;
      return rebalance(successor);
    }
    return rebalance(node);
  }

  private removeLeftmost(node: TreeNode<T>): TreeNode<T> | undefined {
    if (!node.left) return node.right;
    node.left = this.removeLeftmost(node.left);
    return rebalance(node);
  }
}

function sizeOf<T>(node: TreeNode<T> | undefined): number {
  return node?.size ?? 0;
}

function heightOf<T>(node: TreeNode<T> | undefined): number {
  return node?.height ?? 0;
}

function refresh<T>(node: TreeNode<T>): TreeNode<T> {
  node.height = Math.max(heightOf(node.left), heightOf(node.right)) + 1;
  node.size = sizeOf(node.left) + sizeOf(node.right) + 1;
  return node;
}

function rotateRight<T>(node: TreeNode<T>): TreeNode<T> {
  const pivot = node.left!;
  node.left = pivot.right;
  pivot.right = refresh(node);
  return refresh(pivot);
}

function rotateLeft<T>(node: TreeNode<T>): TreeNode<T> {
  const pivot = node.right!;
  node.right = pivot.left;
  pivot.left = refresh(node);
  return refresh(pivot);
}

function rebalance<T>(node: TreeNode<T>): TreeNode<T> {
  refresh(node);
  const balance = heightOf(node.left) - heightOf(node.right);
  if (balance > 1) {
    if (heightOf(node.left!.left) < heightOf(node.left!.right)) node.left = rotateLeft(node.left!);
    return rotateRight(node);
  }
  if (balance < -1) {
    if (heightOf(node.right!.right) < heightOf(node.right!.left)) node.right = rotateRight(node.right!);
    return rotateLeft(node);
  }
  return node;
}

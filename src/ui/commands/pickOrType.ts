import * as vscode from 'vscode';

/** One thing a person may pick. */
export interface Offer<T> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: T;
}

export interface PickOrTypeOptions<T> {
  readonly title: string;
  readonly prompt?: string;
  readonly placeholder: string;
  readonly offers: readonly Offer<T>[];
  /** What the typed text stands for, or why it cannot be used; absent for an empty box. */
  readonly typed: (text: string) => { readonly value: T; readonly description: string } | { readonly error: string } | undefined;
}

type Item<T> = vscode.QuickPickItem & { readonly value?: T; readonly error?: string };

export const ESCAPED = Symbol('escaped');

/**
 * A quick pick where the person picks an offer or types their own answer: the typed text is the
 * first item (Enter takes it), the offers follow, filtered by what is typed. Resolves with the
 * value, or ESCAPED.
 */
export function pickOrType<T>(options: PickOrTypeOptions<T>): Promise<T | typeof ESCAPED> {
  const pick = vscode.window.createQuickPick<Item<T>>();
  pick.title = options.title;
  pick.prompt = options.prompt;
  pick.placeholder = options.placeholder;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  const offers: Item<T>[] = options.offers.map((offer) => ({ label: offer.label, description: offer.description, detail: offer.detail, value: offer.value }));
  const refresh = () => {
    const typed = options.typed(pick.value);
    const first: Item<T>[] = [];
    if (typed && 'error' in typed) first.push({ label: pick.value.trim(), description: `$(error) ${typed.error}`, error: typed.error, alwaysShow: true });
    else if (typed) first.push({ label: pick.value.trim(), description: typed.description, value: typed.value, alwaysShow: true });
    const rest = typed ? offers.filter((offer) => offer.label !== pick.value.trim()) : offers;
    pick.items = [...first, ...rest];
    if (pick.items.length > 0) pick.activeItems = [pick.items[0]!];
  };
  refresh();
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: T | typeof ESCAPED) => {
      if (done) return;
      done = true;
      resolve(value);
      pick.dispose();
    };
    pick.onDidChangeValue(refresh);
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
      if (!chosen || chosen.error !== undefined) return;
      finish(chosen.value as T);
    });
    pick.onDidHide(() => finish(ESCAPED));
    pick.show();
  });
}

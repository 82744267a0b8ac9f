/** The detail page's HTML shell. Pure (strings in, string out) so the CSP is unit-tested. */

export interface DetailHtmlOptions {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Fresh per page load, from `crypto.randomUUID()`. */
  readonly nonce: string;
  /** `asWebviewUri(dist/webview.js)`. */
  readonly scriptUri: string;
  /** `asWebviewUri(media/detail.css)`. */
  readonly styleUri: string;
  /** Sections' own style sheets (`media/wire.css`), after the page's. */
  readonly sectionStyleUris?: readonly string[];
  /** Lets the page persist its task id for restore before the first state arrives. */
  readonly taskId: string;
}

/** No inline styles or scripts, no remote scripts; images may be `data:` URLs (image results). */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} https: data:; style-src ${cspSource}; font-src ${cspSource}; script-src 'nonce-${nonce}'`;
}

export function detailHtml(options: DetailHtmlOptions): string {
  const csp = contentSecurityPolicy(options.cspSource, options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
${(options.sectionStyleUris ?? []).map((uri) => `<link rel="stylesheet" href="${escapeAttribute(uri)}">\n`).join('')}<title>Task details</title>
</head>
<body>
<div id="app" data-task-id="${escapeAttribute(options.taskId)}"></div>
<script nonce="${escapeAttribute(options.nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}

/** For double-quoted attribute values; the CSP's single quotes stay as they are. */
function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Small inline SVG icons (16×16, drawn with the text colour). No icon font is loaded: the CSP
// allows none from outside the extension, and unicode symbols are missing from many fonts.

const PATHS = {
  stop: 'M4.5 4.5h7v7h-7z',
  retry: 'M12.8 9.5A5 5 0 1 1 11.5 4.4M12 1.8v3h-3',
  runAgain: 'M4.5 3v10l8-5z',
  edit: 'M10.5 2.5l3 3L6 13H3v-3z',
  copy: 'M5.5 5.5h8v8h-8zM3.5 10.5h-1v-8h8v1',
  json: 'M6 2.5c-1.5 0-1.5 1-1.5 2.5S3.5 8 2.5 8c1 0 2 .5 2 3s0 2.5 1.5 2.5M10 2.5c1.5 0 1.5 1 1.5 2.5s1 3 2 3c-1 0-2 .5-2 3s0 2.5-1.5 2.5',
  export: 'M8 2v8M4.5 6.5L8 10l3.5-3.5M3 13.5h10',
  log: 'M3 4h10M3 8h10M3 12h7',
  answer: 'M2.5 3h11v7H8l-3 3v-3H2.5z',
  link: 'M7 9a3 3 0 0 0 4.2 0l2-2a3 3 0 0 0-4.2-4.2l-1 1M9 7a3 3 0 0 0-4.2 0l-2 2a3 3 0 0 0 4.2 4.2l1-1',
  file: 'M4 1.5h5l3 3v10H4zM9 1.5v3h3',
  check: 'M3 8.5l3 3 7-7',
  cross: 'M4 4l8 8M12 4l-8 8',
  slash: 'M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13M3.5 3.5l9 9',
  pin: 'M6 2.5h4M6.8 2.5v4L4.5 9h7L9.2 6.5v-4M8 9v4.5',
  sent: 'M2.5 8h10M9 4.5L12.5 8 9 11.5',
  received: 'M13.5 8h-10M7 4.5L3.5 8 7 11.5',
  question: 'M5.8 5.8a2.2 2.2 0 1 1 3.3 1.9c-.7.4-1.1.9-1.1 1.6v.7M8 12.3v.2',
} as const;

export type IconName = keyof typeof PATHS;

const SVG = 'http://www.w3.org/2000/svg';

export function icon(name: IconName, className = 'icon'): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [attribute, value] of Object.entries({
    class: className,
    viewBox: '0 0 16 16',
    width: '16',
    height: '16',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '1.4',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
  })) {
    svg.setAttribute(attribute, value);
  }
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', PATHS[name]);
  svg.append(path);
  return svg;
}

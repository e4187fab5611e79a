/** Real mouse input on the element's parts, through the DevTools protocol: a genuine user activation. */
import { sendMouse } from '@web/test-runner-commands';

/** The viewport point at the middle of one of the element's parts, where a real mouse goes to reach it. */
export function partCenter(el: Element, name: string): [number, number] {
  const box = el.shadowRoot!.querySelector(`[part~="${name}"]`)!.getBoundingClientRect();
  return [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)];
}

export async function clickPart(el: Element, name: string): Promise<void> {
  await sendMouse({ type: 'click', position: partCenter(el, name) });
}

/** Rests the pointer on a part (pointerenter, hover), without clicking. */
export async function hoverPart(el: Element, name: string): Promise<void> {
  await sendMouse({ type: 'move', position: partCenter(el, name) });
}

/** A real mouse click on one of the element's parts, through the DevTools protocol: a genuine user activation. */
import { sendMouse } from '@web/test-runner-commands';

export async function clickPart(el: Element, name: string): Promise<void> {
  const box = el.shadowRoot!.querySelector(`[part~="${name}"]`)!.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)] });
}

import { describe, expect, it } from 'vitest';
import { unknownLabels } from '../../../src/cli/eval-command.ts';

describe('eval intent: labels the model does not know', () => {
  it('names them with their rows, most rows first; out_of_scope and known labels are not named', () => {
    const rows = [
      { text: 'a', intent: 'refund' },
      { text: 'b', intent: 'gift_cards' },
      { text: 'c', intent: 'gift_cards' },
      { text: 'd', intent: 'ORDER_STATUS' },
      { text: 'e', intent: 'out_of_scope' },
    ];
    expect(unknownLabels(rows, ['refund', 'order_status', 'out_of_scope'])).toBe(
      'labels the model does not know, counted as errors: "gift_cards" (2 rows), "ORDER_STATUS" (1 row)',
    );
    expect(unknownLabels(rows.slice(0, 1), ['refund'])).toBeUndefined();
    expect(unknownLabels([{ text: 'x', intent: ['refund', 'new'] }], ['refund'])).toMatch(/"new" \(1 row\)/);
  });
});

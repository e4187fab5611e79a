/**
 * A JSON payload as a test reads it: a server event, an event's detail, an HTTP answer's body.
 * Tests read such payloads field by field, deep, and compare what they find with what they
 * expect; typing each shape (or casting at each read) would only restate the expectation. So it
 * is `any`, here once, by name; everywhere else the lint's no-explicit-any holds.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one deliberate `any`, see above
export type Payload = any;

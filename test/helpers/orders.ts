// Tables for the page's column tests. Orders: an amount (a number), a region (3 levels, one-hot by
// default), a shop (300 levels, hashed by default) and whether the order came back (a text target), as CSV text or as
// a Parquet file (hyparquet-writer, dictionary-encoded strings as most writers write them; several row groups).
import { parquetWriteBuffer } from 'hyparquet-writer';

export const REGIONS = ['east', 'west', 'north'];

/** The orders' columns, n rows. */
export function orderColumns(n = 1500): { amount: number[]; region: string[]; shop: string[]; returned: string[] } {
  const o = { amount: [] as number[], region: [] as string[], shop: [] as string[], returned: [] as string[] };
  for (let i = 0; i < n; i++) {
    const k = (i * 7919) % 300;
    const r = (i * 2654435761) % 3;
    const amount = Number((Math.sin(i * 0.37) * 2).toFixed(4));
    const z = amount + [0, 1.5, -1.5][r] + 2.5 * Math.sin(k * 1.7) + 0.8 * Math.cos(i * 12.9898);
    o.amount.push(amount);
    o.region.push(REGIONS[r]);
    o.shop.push(`s${k}`);
    o.returned.push(z > 0 ? 'yes' : 'no');
  }
  return o;
}

/** The orders as CSV text. */
export function ordersCsv(n = 1500): string {
  const o = orderColumns(n);
  return ['amount,region,shop,returned', ...o.amount.map((a, i) => `${a.toFixed(4)},${o.region[i]},${o.shop[i]},${o.returned[i]}`)].join('\n') + '\n';
}

/** The orders as a Parquet file's bytes. */
export function ordersParquet(n = 1500, rowGroupSize = 512): Uint8Array<ArrayBuffer> {
  const o = orderColumns(n);
  return new Uint8Array(parquetWriteBuffer({
    rowGroupSize,
    columnData: [
      { name: 'amount', data: Float64Array.from(o.amount), type: 'DOUBLE' }, { name: 'region', data: o.region, type: 'STRING' },
      { name: 'shop', data: o.shop, type: 'STRING' }, { name: 'returned', data: o.returned, type: 'STRING' },
    ],
  } as Parameters<typeof parquetWriteBuffer>[0]));
}

/** A regression table with blank cells (a: every 7th row, b: every 11th, the text column city: every 13th). */
export function blanksCsv(n = 400): string {
  const lines = ['a,b,city,y'];
  for (let i = 0; i < n; i++) {
    const a = Math.sin(i * 0.7) * 3;
    const b = Math.cos(i * 1.3) * 2;
    const y = 2 * a - b + [0, 1, -1][i % 3] + 0.1 * Math.sin(i * 9.1);
    lines.push(`${i % 7 === 0 ? '' : a.toFixed(4)},${i % 11 === 0 ? '' : b.toFixed(4)},${i % 13 === 0 ? '' : ['x', 'y', 'z'][i % 3]},${y.toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

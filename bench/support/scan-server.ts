// A stand-in for DynamoDB that answers only Scan, over the benchmark's generated tables (tab-data.ts),
// from memory: for the 1M-account tabulation when that many items cannot be loaded into DynamoDB Local
// in the time a run allows. It serves the same items the product would store, in segments (account i
// in segment i mod TotalSegments), in pages of about 1 MB, with ExclusiveStartKey, the projection, and
// the `type IN (...)` filter the tabulation sends. Both the product's count and the raw Scan read from
// it, so its own cost is the same on both sides. Binds 127.0.0.1.
import { createServer, type Server } from 'node:http';
import { LOCAL_HOST } from '../../shared/local/ports.ts';
import { holderKey } from '../../shared/register/holder-item.ts';
import { accountPk, INSTRUCTION_PREFIX } from '../../shared/storage/vote-store.ts';
import { benchAccount, benchHolder, type InstructionItems } from './tab-data.ts';

const PAGE_BYTES = 1_000_000;

const S = (v: string) => `{"S":${JSON.stringify(v)}}`;

type Fields = Record<string, () => string>;

/** A whole holder item, straight to DynamoDB JSON (the generated texts need no escaping). */
function holderJson(i: number): string {
  const h = benchHolder(i);
  const joint = h.jointNames.map((n) => `{"S":"${n}"}`).join(',');
  const email = h.email === null ? '{"NULL":true}' : `{"S":"${h.email}"}`;
  return `{"pk":{"S":"HOLDER#${h.account}"},"sk":{"S":"HOLDER"},"type":{"S":"holder"},"account":{"S":"${h.account}"},"name":{"S":"${h.name}"},"jointNames":{"L":[${joint}]},"email":${email},"eDelivery":{"BOOL":${h.eDelivery}},"mailingAddress":{"S":"${h.mailingAddress}"},"shares":{"N":"${h.shares}"},"nominee":{"BOOL":${h.nominee}}}`;
}

function holderFields(i: number): Fields {
  const h = benchHolder(i);
  const key = holderKey(h.account);
  return {
    pk: () => S(key.pk),
    sk: () => S(key.sk),
    type: () => S('holder'),
    account: () => S(h.account),
    name: () => S(h.name),
    jointNames: () => `{"L":[${h.jointNames.map(S).join(',')}]}`,
    email: () => (h.email === null ? '{"NULL":true}' : S(h.email)),
    eDelivery: () => `{"BOOL":${h.eDelivery}}`,
    mailingAddress: () => S(h.mailingAddress),
    shares: () => `{"N":"${h.shares}"}`,
    nominee: () => `{"BOOL":${h.nominee}}`,
  };
}

function instructionFields(items: InstructionItems, i: number): Fields {
  let full: ReturnType<InstructionItems['item']> | undefined;
  const all = () => {
    full ??= items.item(i);
    return full;
  };
  return {
    pk: () => S(accountPk(benchAccount(i))),
    sk: () => S(`${INSTRUCTION_PREFIX}${items.id(i)}`),
    type: () => S('instruction'),
    account: () => S(benchAccount(i)),
    orderKey: () => S(all().orderKey),
    receiptCode: () => S(all().receiptCode),
    body: () => `{"S":${items.bodyLiteral(i)}}`,
  };
}

interface ScanRequest {
  TableName: string;
  Segment?: number;
  TotalSegments?: number;
  ExclusiveStartKey?: { pk?: { S?: string } };
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, { S?: string }>;
}

export interface ScanServer {
  endpoint: string;
  close(): Promise<void>;
}

export async function startScanServer(o: {
  registerTable: string;
  votesTable: string;
  accounts: number;
  items: InstructionItems;
}): Promise<ScanServer> {
  const scan = (req: ScanRequest): string => {
    const kind =
      req.TableName === o.registerTable ? 'holder' : req.TableName === o.votesTable ? 'instruction' : null;
    if (!kind) throw new Error(`no table ${req.TableName}`);
    const wanted = Object.values(req.ExpressionAttributeValues ?? {}).map((v) => v.S);
    const total = req.TotalSegments ?? 1;
    const segment = req.Segment ?? 0;
    const projection = req.ProjectionExpression?.split(',').map((p) => {
      const t = p.trim();
      return req.ExpressionAttributeNames?.[t] ?? t;
    });
    const startPk = req.ExclusiveStartKey?.pk?.S;
    let i = startPk ? Number(startPk.slice(startPk.indexOf('#') + 2)) + total : segment;
    const parts: string[] = [];
    let bytes = 0;
    let last = -1;
    // The filter the count sends (type IN (...)): these tables hold only the one type.
    if (wanted.length === 0 || wanted.includes(kind)) {
      const fast =
        kind === 'holder'
          ? projection === undefined
          : projection?.length === 3 && projection.join() === 'pk,sk,body';
      for (; i < o.accounts && bytes < PAGE_BYTES; i += total) {
        let json: string;
        if (fast && kind === 'holder') json = holderJson(i);
        else if (fast)
          json = `{"pk":{"S":"ACCOUNT#${benchAccount(i)}"},"sk":{"S":"INSTR#${o.items.id(i)}"},"body":{"S":${o.items.bodyLiteral(i)}}}`;
        else {
          const fields = kind === 'holder' ? holderFields(i) : instructionFields(o.items, i);
          const names = projection ?? Object.keys(fields);
          json = `{${names
            .filter((n) => n in fields)
            .map((n) => `${JSON.stringify(n)}:${(fields[n] as () => string)()}`)
            .join(',')}}`;
        }
        parts.push(json);
        bytes += json.length;
        last = i;
      }
    }
    const more = last >= 0 && last + total < o.accounts;
    const lastKey = more
      ? kind === 'holder'
        ? `,"LastEvaluatedKey":{"pk":${S(holderKey(benchAccount(last)).pk)},"sk":${S('HOLDER')}}`
        : `,"LastEvaluatedKey":{"pk":${S(accountPk(benchAccount(last)))},"sk":${S(`${INSTRUCTION_PREFIX}${o.items.id(last)}`)}}`
      : '';
    return `{"Count":${parts.length},"ScannedCount":${parts.length},"Items":[${parts.join(',')}]${lastKey}}`;
  };

  // Every page is rendered once and then served from memory: the first run (the bench's untimed
  // warm-up) renders them, so the timed runs measure the client, not this server's JSON building.
  const pages = new Map<string, Buffer>();
  const page = (raw: string): Buffer => {
    const req = JSON.parse(raw) as ScanRequest;
    const key = JSON.stringify([
      req.TableName,
      req.Segment,
      req.TotalSegments,
      req.ExclusiveStartKey?.pk?.S,
      req.ProjectionExpression,
      req.ExpressionAttributeNames,
      req.ExpressionAttributeValues,
    ]);
    let body = pages.get(key);
    if (!body) {
      body = Buffer.from(scan(req));
      pages.set(key, body);
    }
    return body;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let status = 200;
      let body: string | Buffer;
      try {
        if (target !== 'DynamoDB_20120810.Scan') throw new Error(`only Scan is served, not ${target}`);
        body = page(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        status = 400;
        body = JSON.stringify({
          __type: 'com.amazon.coral.validate#ValidationException',
          message: e instanceof Error ? e.message : String(e),
        });
      }
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: LOCAL_HOST }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

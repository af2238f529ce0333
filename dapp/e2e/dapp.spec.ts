// A person's path through the dApp against a real dev node and gateway (the world of
// `medchain-dapp-fixture`, whose JSON is at $MEDCHAIN_DAPP_FIXTURE): a doctor opens the records
// the hospital uploaded (text, a 1 MiB binary, an image, a PDF) and the browser's plaintext
// equals the originals; the patient sees the reads in the audit trail and denies the doctor,
// whose next open shows the chain's refusal, then lifts the deny and allows another account;
// the patient revokes a grant; an emergency medic's break-glass read is highlighted for the
// patient, who acknowledges it, and disputes a second one; the patient, signing through an
// injected wallet (the interface the polkadot.js extension injects; the wallet refuses once, as
// a person who clicks "Cancel"), authorises and revokes a custodian and erases a record after a
// confirmation; the council's only member votes down and closes a motion. Screenshots of each
// view go to $MEDCHAIN_DAPP_OUT/screenshots.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SignerPayloadJSON } from '@polkadot/types/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type Browser, expect, type Page, test } from '@playwright/test';

const fixture = JSON.parse(readFileSync(process.env.MEDCHAIN_DAPP_FIXTURE ?? 'fixture.json', 'utf8'));
const out = process.env.MEDCHAIN_DAPP_OUT ?? 'test-results';
const shots = `${out}/screenshots`;
mkdirSync(shots, { recursive: true });

const at = (view: string) =>
  `/?node=${encodeURIComponent(fixture.node)}&gateway=${encodeURIComponent(fixture.gateway)}&view=${view}`;

/** Opens `view` as `address`: a dev account unless `source` names the wallet that holds it. */
async function openAs(page: Page, view: string, address: string, source = 'dev'): Promise<void> {
  await page.goto(at(view));
  await expect(page.getByTestId('chain-status')).toContainText('block #');
  await page.getByTestId('account').selectOption(`${source}:${address}`);
}

const WALLET = 'medchain-test-wallet';

/**
 * An injected wallet in `page`, as the polkadot.js extension injects one (`window.injectedWeb3`):
 * it offers `pair`'s account and signs payloads here, in the test, with `pair` (the page never
 * holds the key). Returns the payloads it was asked to sign and a switch to refuse the next one.
 */
async function installWallet(page: Page, api: ApiPromise, pair: KeyringPair) {
  const asked: SignerPayloadJSON[] = [];
  let refuseNext = false;
  let id = 0;
  await page.exposeFunction('medchainTestWalletSign', (payload: SignerPayloadJSON) => {
    asked.push(payload);
    if (refuseNext) {
      refuseNext = false;
      throw new Error('Cancelled by the user in the wallet');
    }
    const signed = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(pair);
    return { id: ++id, signature: signed.signature };
  });
  await page.addInitScript(
    ({ source, address }) => {
      const account = { address, name: 'Patient (test wallet)', type: 'sr25519' };
      const w = window as unknown as { injectedWeb3?: Record<string, unknown>; medchainTestWalletSign: (p: unknown) => Promise<unknown> };
      w.injectedWeb3 = {
        ...(w.injectedWeb3 ?? {}),
        [source]: {
          version: '0.63.1',
          enable: async () => ({
            accounts: {
              get: async () => [account],
              subscribe: (cb: (accounts: unknown[]) => void) => {
                cb([account]);
                return () => undefined;
              },
            },
            signer: { signPayload: (payload: unknown) => w.medchainTestWalletSign(payload) },
          }),
        },
      };
    },
    { source: WALLET, address: pair.address },
  );
  return { asked, refuseNext: () => (refuseNext = true) };
}

async function unlock(page: Page, who: { keystore: string; address: string }): Promise<void> {
  await page.getByTestId('keystore-file').setInputFiles(who.keystore);
  await page.getByTestId('keystore-passphrase').fill(fixture.passphrase);
  await page.getByTestId('unlock').click();
  await expect(page.getByTestId('keys-info')).toContainText(who.address);
}

/** A person's own browser page; its script errors are printed under `name`. */
async function newPerson(browser: Browser, name: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`${name} page error: ${e.message}`));
  return page;
}

/** Opens the clinical note in `page`'s clinician view; the decrypted text must be the original. */
async function opensNote(page: Page): Promise<void> {
  await page.getByTestId(`open-${fixture.note.record}`).click();
  await expect(page.getByTestId('opened-text')).toBeVisible();
  expect(await page.getByTestId('opened-text').textContent()).toBe(fixture.note.text);
}

/** Waits until the newest transaction in the list is in a block (or fails the test with its error). */
async function included(page: Page): Promise<void> {
  const tx = page.getByTestId('tx').first();
  await expect(tx).toHaveAttribute('data-state', /in block|finalised|failed/);
  expect(await tx.getAttribute('data-state'), (await tx.textContent()) ?? '').not.toBe('failed');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('patients and clinicians in the browser', async ({ browser }) => {
  const results: Record<string, unknown> = {};
  const doctor = await newPerson(browser, 'doctor');

  // The doctor opens both records: decrypted in the browser, equal to the originals.
  await openAs(doctor, 'clinician', fixture.doctor.address);
  await unlock(doctor, fixture.doctor);
  await doctor.getByTestId('patient-account').fill(fixture.patient.address);
  await doctor.getByTestId('show-records').click();
  const noteRow = doctor.getByTestId(`clinician-record-${fixture.note.record}`);
  await expect(noteRow).toHaveAttribute('data-allowed', 'true');
  await expect(noteRow).toHaveAttribute('data-reason', 'Policy');
  await opensNote(doctor);
  await doctor.screenshot({ path: `${shots}/1-clinician-opened-note.png`, fullPage: true });

  const scanInfo = doctor.getByTestId('opened-info');
  const original = sha256(readFileSync(fixture.scan.file));
  const timings: number[] = [];
  for (let i = 0; i < 3; i++) {
    await doctor.getByTestId(`open-${fixture.scan.record}`).click();
    await expect(scanInfo).toHaveAttribute('data-record', String(fixture.scan.record));
    await expect(scanInfo).toHaveAttribute('data-sha256', original);
    expect(Number(await scanInfo.getAttribute('data-size'))).toBe(fixture.scan.bytes);
    timings.push(Number(await scanInfo.getAttribute('data-ms')));
    // Next round: clear the shown record so the wait above sees the new one.
    await opensNote(doctor);
  }
  results.openScanMs = timings;
  await doctor.getByTestId(`open-${fixture.scan.record}`).click();
  await expect(scanInfo).toHaveAttribute('data-sha256', original);
  await expect(doctor.getByTestId('download')).toBeVisible();
  await doctor.screenshot({ path: `${shots}/2-clinician-opened-scan.png`, fullPage: true });

  // An image is shown as one (the browser decoded it: its natural size is the PNG's), a PDF
  // inline; both byte for byte the originals, each with a download named for its type.
  await doctor.getByTestId(`open-${fixture.image.record}`).click();
  await expect(scanInfo).toHaveAttribute('data-record', String(fixture.image.record));
  await expect(scanInfo).toHaveAttribute('data-sha256', sha256(readFileSync(fixture.image.file)));
  const image = doctor.getByTestId('opened-image');
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => `${img.naturalWidth}x${img.naturalHeight}`)).toBe('24x16');
  await expect(doctor.getByTestId('download')).toHaveAttribute('download', `record-${fixture.image.record}.png`);
  await doctor.screenshot({ path: `${shots}/2b-clinician-opened-image.png`, fullPage: true });
  await doctor.getByTestId(`open-${fixture.pdf.record}`).click();
  await expect(scanInfo).toHaveAttribute('data-record', String(fixture.pdf.record));
  await expect(scanInfo).toHaveAttribute('data-sha256', sha256(readFileSync(fixture.pdf.file)));
  await expect(doctor.getByTestId('opened-pdf')).toBeVisible();
  await expect(doctor.getByTestId('download')).toHaveAttribute('download', `record-${fixture.pdf.record}.pdf`);

  // The patient sees the doctor's reads, on chain, in the audit trail. The patient signs with
  // a wallet (an injected extension), not a dev key.
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(fixture.node), noInitWarn: true });
  const patientPair = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 ?? 42 }).addFromUri(fixture.patient.suri);
  expect(patientPair.address).toBe(fixture.patient.address);
  const patient = await newPerson(browser, 'patient');
  const wallet = await installWallet(patient, api, patientPair);
  const dialogs: string[] = [];
  let acceptDialogs = false;
  patient.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void (acceptDialogs ? dialog.accept() : dialog.dismiss());
  });
  await openAs(patient, 'patient', fixture.patient.address, WALLET);
  await expect(patient.getByTestId('account').locator('option:checked')).toHaveText(`Patient (test wallet) (${WALLET})`);
  await expect(patient.getByTestId('account').locator(`option[value="dev:${fixture.patient.address}"]`)).toContainText('dev account, test chains only');
  await expect(patient.getByTestId(`policy-${fixture.note.record}`)).toHaveText(/role:doctor/);
  const doctorReads = patient.locator(`[data-testid="audit-read"][data-reader="${fixture.doctor.address}"]`);
  await expect(doctorReads.first()).toBeVisible();
  await expect(doctorReads.filter({ hasText: `record ${fixture.note.record}` }).first()).toBeVisible();
  await expect(patient.getByTestId(`grant-${fixture.grant}`)).toHaveAttribute('data-active', 'true');
  await patient.screenshot({ path: `${shots}/3-patient-audit-trail.png`, fullPage: true });

  // The patient denies the doctor; the doctor's next open shows the chain's refusal.
  await patient.getByTestId('override-account').fill(fixture.doctor.address);
  await patient.getByTestId('deny').click();
  await included(patient);
  // The wallet signed it: the payload named the patient and the chain accepted its signature.
  expect(wallet.asked.length).toBe(1);
  expect(wallet.asked[0].address).toBe(fixture.patient.address);
  await expect(patient.locator(`[data-testid="override"][data-account="${fixture.doctor.address}"]`)).toHaveAttribute('data-kind', 'Deny');
  await doctor.getByTestId('show-records').click();
  await expect(noteRow).toHaveAttribute('data-reason', 'ExplicitlyDenied');
  await doctor.getByTestId(`open-${fixture.note.record}`).click();
  const refusal = doctor.getByTestId('read-error');
  await expect(refusal).toContainText('ExplicitlyDenied');
  await expect(refusal).toHaveAttribute('data-code', 'not-allowed');
  await doctor.screenshot({ path: `${shots}/4-clinician-refused.png`, fullPage: true });

  // The patient removes the deny: the doctor may read again, on the policy.
  const doctorDeny = patient.locator(`[data-testid="override"][data-account="${fixture.doctor.address}"]`);
  await doctorDeny.getByRole('button', { name: 'Remove' }).click();
  await included(patient);
  await expect(doctorDeny).toHaveCount(0);
  await doctor.getByTestId('show-records').click();
  await expect(noteRow).toHaveAttribute('data-reason', 'Policy');
  await opensNote(doctor);

  // The patient allows the researcher (no attribute the policy asks for) to read the note for
  // treatment: the chain's decision for the researcher turns from its refusal to ExplicitAllow.
  const researcher = await newPerson(browser, 'researcher');
  await openAs(researcher, 'clinician', fixture.researcher.address);
  await researcher.getByTestId('patient-account').fill(fixture.patient.address);
  await researcher.getByTestId('purpose').selectOption('Treatment');
  await researcher.getByTestId('show-records').click();
  const researcherNote = researcher.getByTestId(`clinician-record-${fixture.note.record}`);
  await expect(researcherNote).toHaveAttribute('data-allowed', 'false');
  await patient.getByTestId('override-account').fill(fixture.researcher.address);
  await patient.getByTestId('override-record').fill(String(fixture.note.record));
  await patient.getByTestId('override-purpose').selectOption('Treatment');
  await patient.getByTestId('allow').click();
  await included(patient);
  const researcherAllow = patient.locator(`[data-testid="override"][data-account="${fixture.researcher.address}"]`);
  await expect(researcherAllow).toHaveAttribute('data-kind', 'Allow');
  await expect(researcherAllow).toContainText(`on record ${fixture.note.record} for Treatment`);
  await researcher.getByTestId('show-records').click();
  await expect(researcherNote).toHaveAttribute('data-allowed', 'true');
  await expect(researcherNote).toHaveAttribute('data-reason', 'ExplicitAllow');
  await researcher.close();

  // The patient revokes the researcher's grant.
  await patient.getByTestId(`revoke-grant-${fixture.grant}`).click();
  await included(patient);
  await expect(patient.getByTestId(`grant-${fixture.grant}`)).toHaveAttribute('data-active', 'false');

  // An emergency medic breaks the glass and reads; the patient sees it highlighted and acknowledges.
  const medic = await newPerson(browser, 'medic');
  await openAs(medic, 'clinician', fixture.medic.address);
  await unlock(medic, fixture.medic);
  await medic.getByTestId('patient-account').fill(fixture.patient.address);
  await medic.getByTestId('purpose').selectOption('Emergency');
  await medic.getByTestId('show-records').click();
  await medic.getByTestId('justification').fill('UNCONSCIOUS');
  await medic.getByTestId(`break-glass-${fixture.note.record}`).click();
  await included(medic);
  await opensNote(medic);
  await expect(medic.getByTestId('opened-info')).toContainText('CP-ABE');
  await medic.screenshot({ path: `${shots}/5-medic-break-glass.png`, fullPage: true });

  const glass = patient.locator(`[data-testid="audit-break-glass"][data-record="${fixture.note.record}"]`);
  await expect(glass).toHaveAttribute('data-review', 'Pending');
  await expect(glass).toHaveClass(/break-glass/);
  await expect(patient.locator(`[data-testid="audit-read"][data-reader="${fixture.medic.address}"][data-basis="Ticket"]`).first()).toBeVisible();
  await patient.screenshot({ path: `${shots}/6-patient-break-glass.png`, fullPage: true });
  await glass.getByRole('button', { name: 'Acknowledge' }).click();
  await included(patient);
  await expect(glass).toHaveAttribute('data-review', 'Acknowledged');

  // A second break-glass, on the scan: the patient disputes it; it stays on record, disputed.
  await medic.getByTestId(`break-glass-${fixture.scan.record}`).click();
  await included(medic);
  const glass2 = patient.locator(`[data-testid="audit-break-glass"][data-record="${fixture.scan.record}"]`);
  await expect(glass2).toHaveAttribute('data-review', 'Pending');
  await glass2.getByRole('button', { name: 'Dispute' }).click();
  await included(patient);
  await expect(glass2).toHaveAttribute('data-review', 'Disputed');
  await expect(glass).toHaveAttribute('data-review', 'Acknowledged');

  // Custodians: the wallet refuses the first signature (the person cancels): nothing is sent
  // and the page says why; then the patient authorises the researcher's account as a custodian,
  // sees it listed, and revokes it.
  const custodian = patient.locator(`[data-testid="custodian"][data-account="${fixture.researcher.address}"]`);
  await expect(custodian).toHaveCount(0);
  const signedBefore = wallet.asked.length;
  wallet.refuseNext();
  await patient.getByTestId('custodian-account').fill(fixture.researcher.address);
  await patient.getByTestId('custodian-authorize').click();
  await expect(patient.getByTestId('tx').first()).toHaveAttribute('data-state', 'failed');
  await expect(patient.getByTestId('patient-status')).toContainText('Cancelled by the user in the wallet');
  expect(wallet.asked.length).toBe(signedBefore + 1);
  await expect(custodian).toHaveCount(0);
  await patient.getByTestId('custodian-authorize').click();
  await included(patient);
  await expect(custodian).toContainText('may write every kind');
  await patient.getByTestId(`revoke-custodian-${fixture.researcher.address}`).click();
  await included(patient);
  await expect(custodian).toHaveCount(0);

  // Erasure asks first: dismissed, nothing is sent; accepted, the record is erased, shown as
  // such to the patient, and gone from the clinician's list.
  const scanRow = patient.getByTestId(`record-${fixture.scan.record}`);
  await expect(scanRow).toBeVisible();
  const txCount = await patient.getByTestId('tx').count();
  await patient.getByTestId(`erase-${fixture.scan.record}`).click();
  expect(dialogs.at(-1)).toContain('cannot be undone');
  await patient.waitForTimeout(1_000);
  expect(await patient.getByTestId('tx').count()).toBe(txCount);
  await expect(scanRow).toBeVisible();
  acceptDialogs = true;
  await patient.getByTestId(`erase-${fixture.scan.record}`).click();
  await included(patient);
  await expect(scanRow).toHaveCount(0);
  await expect(patient.getByTestId(`erased-${fixture.scan.record}`)).toContainText('erased at block');
  await expect(patient.getByTestId(`record-${fixture.note.record}`)).toBeVisible();
  await patient.screenshot({ path: `${shots}/7-patient-after-erasure.png`, fullPage: true });
  await medic.getByTestId('show-records').click();
  await expect(medic.getByTestId(`clinician-record-${fixture.note.record}`)).toBeVisible();
  await expect(medic.getByTestId(`clinician-record-${fixture.scan.record}`)).toHaveCount(0);
  // Every patient transaction went through the wallet: deny, remove it, allow, revoke the
  // grant, acknowledge, dispute, the refused and the signed authorisation, revoke the
  // custodian, erase.
  expect(wallet.asked.length).toBe(10);
  await api.disconnect();

  // The council: the open motion's call decoded; the only member votes nay and closes it.
  const council = await newPerson(browser, 'council');
  await openAs(council, 'council', fixture.councilMember.address);
  const motion = council.getByTestId('motion-0');
  await expect(motion).toContainText('system.remark');
  await expect(motion).toContainText('0 aye, 0 nay of 2 needed');
  await motion.getByRole('button', { name: 'Nay' }).click();
  await included(council);
  await expect(motion).toContainText('0 aye, 1 nay of 2 needed');
  await council.screenshot({ path: `${shots}/8-council.png`, fullPage: true });
  await motion.getByRole('button', { name: 'Close' }).click();
  await included(council);
  await expect(council.getByTestId('council-motions')).toContainText('No open motions.');

  writeFileSync(`${out}/results.json`, JSON.stringify(results, null, 2));
  console.log(`open-to-decrypted for the 1 MiB record: ${timings.map((t) => `${t} ms`).join(', ')}`);
});

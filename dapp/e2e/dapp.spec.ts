// A person's path through the dApp against a real dev node and gateway (the world of
// `medchain-dapp-fixture`, whose JSON is at $MEDCHAIN_DAPP_FIXTURE): a doctor opens a record the
// hospital uploaded and the browser's plaintext equals the original; the patient sees the read
// in the audit trail and denies the doctor, whose next open shows the chain's refusal; the
// patient revokes a grant; an emergency medic's break-glass read is highlighted for the patient,
// who acknowledges it; the council's only member votes down and closes a motion. Screenshots of each view go to $MEDCHAIN_DAPP_OUT/screenshots.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { expect, type Page, test } from '@playwright/test';

const fixture = JSON.parse(readFileSync(process.env.MEDCHAIN_DAPP_FIXTURE ?? 'fixture.json', 'utf8'));
const out = process.env.MEDCHAIN_DAPP_OUT ?? 'test-results';
const shots = `${out}/screenshots`;
mkdirSync(shots, { recursive: true });

const at = (view: string) =>
  `/?node=${encodeURIComponent(fixture.node)}&gateway=${encodeURIComponent(fixture.gateway)}&view=${view}`;

async function openAs(page: Page, view: string, address: string): Promise<void> {
  await page.goto(at(view));
  await expect(page.getByTestId('chain-status')).toContainText('block #');
  await page.getByTestId('account').selectOption(address);
}

async function unlock(page: Page, who: { keystore: string; address: string }): Promise<void> {
  await page.getByTestId('keystore-file').setInputFiles(who.keystore);
  await page.getByTestId('keystore-passphrase').fill(fixture.passphrase);
  await page.getByTestId('unlock').click();
  await expect(page.getByTestId('keys-info')).toContainText(who.address);
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
  const doctor = await browser.newPage();
  doctor.on('pageerror', (e) => console.log(`doctor page error: ${e.message}`));

  // The doctor opens both records: decrypted in the browser, equal to the originals.
  await openAs(doctor, 'clinician', fixture.doctor.address);
  await unlock(doctor, fixture.doctor);
  await doctor.getByTestId('patient-account').fill(fixture.patient.address);
  await doctor.getByTestId('show-records').click();
  const noteRow = doctor.getByTestId(`clinician-record-${fixture.note.record}`);
  await expect(noteRow).toHaveAttribute('data-allowed', 'true');
  await expect(noteRow).toHaveAttribute('data-reason', 'Policy');
  await doctor.getByTestId(`open-${fixture.note.record}`).click();
  await expect(doctor.getByTestId('opened-text')).toBeVisible();
  expect(await doctor.getByTestId('opened-text').textContent()).toBe(fixture.note.text);
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
    await doctor.getByTestId(`open-${fixture.note.record}`).click();
    await expect(doctor.getByTestId('opened-text')).toBeVisible();
  }
  results.openScanMs = timings;
  await doctor.getByTestId(`open-${fixture.scan.record}`).click();
  await expect(scanInfo).toHaveAttribute('data-sha256', original);
  await expect(doctor.getByTestId('download')).toBeVisible();
  await doctor.screenshot({ path: `${shots}/2-clinician-opened-scan.png`, fullPage: true });

  // The patient sees the doctor's reads, on chain, in the audit trail.
  const patient = await browser.newPage();
  patient.on('pageerror', (e) => console.log(`patient page error: ${e.message}`));
  patient.on('dialog', (dialog) => dialog.dismiss());
  await openAs(patient, 'patient', fixture.patient.address);
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
  await expect(patient.locator(`[data-testid="override"][data-account="${fixture.doctor.address}"]`)).toHaveAttribute('data-kind', 'Deny');
  await doctor.getByTestId('show-records').click();
  await expect(noteRow).toHaveAttribute('data-reason', 'ExplicitlyDenied');
  await doctor.getByTestId(`open-${fixture.note.record}`).click();
  const refusal = doctor.getByTestId('read-error');
  await expect(refusal).toContainText('ExplicitlyDenied');
  await expect(refusal).toHaveAttribute('data-code', 'not-allowed');
  await doctor.screenshot({ path: `${shots}/4-clinician-refused.png`, fullPage: true });

  // The patient revokes the researcher's grant.
  await patient.getByTestId(`revoke-grant-${fixture.grant}`).click();
  await included(patient);
  await expect(patient.getByTestId(`grant-${fixture.grant}`)).toHaveAttribute('data-active', 'false');

  // An emergency medic breaks the glass and reads; the patient sees it highlighted and acknowledges.
  const medic = await browser.newPage();
  medic.on('pageerror', (e) => console.log(`medic page error: ${e.message}`));
  await openAs(medic, 'clinician', fixture.medic.address);
  await unlock(medic, fixture.medic);
  await medic.getByTestId('patient-account').fill(fixture.patient.address);
  await medic.getByTestId('purpose').selectOption('Emergency');
  await medic.getByTestId('show-records').click();
  await medic.getByTestId('justification').fill('UNCONSCIOUS');
  await medic.getByTestId(`break-glass-${fixture.note.record}`).click();
  await included(medic);
  await medic.getByTestId(`open-${fixture.note.record}`).click();
  await expect(medic.getByTestId('opened-text')).toBeVisible();
  expect(await medic.getByTestId('opened-text').textContent()).toBe(fixture.note.text);
  await expect(medic.getByTestId('opened-info')).toContainText('CP-ABE');
  await medic.screenshot({ path: `${shots}/5-medic-break-glass.png`, fullPage: true });

  const glass = patient.locator('[data-testid="audit-break-glass"]');
  await expect(glass).toHaveAttribute('data-review', 'Pending');
  await expect(glass).toHaveClass(/break-glass/);
  await expect(patient.locator(`[data-testid="audit-read"][data-reader="${fixture.medic.address}"][data-basis="Ticket"]`).first()).toBeVisible();
  await patient.screenshot({ path: `${shots}/6-patient-break-glass.png`, fullPage: true });
  await glass.getByRole('button', { name: 'Acknowledge' }).click();
  await included(patient);
  await expect(glass).toHaveAttribute('data-review', 'Acknowledged');

  // The council: the open motion's call decoded; the only member votes nay and closes it.
  const council = await browser.newPage();
  council.on('pageerror', (e) => console.log(`council page error: ${e.message}`));
  await openAs(council, 'council', fixture.councilMember.address);
  const motion = council.getByTestId('motion-0');
  await expect(motion).toContainText('system.remark');
  await expect(motion).toContainText('0 aye, 0 nay of 2 needed');
  await motion.getByRole('button', { name: 'Nay' }).click();
  await included(council);
  await expect(motion).toContainText('0 aye, 1 nay of 2 needed');
  await council.screenshot({ path: `${shots}/7-council.png`, fullPage: true });
  await motion.getByRole('button', { name: 'Close' }).click();
  await included(council);
  await expect(council.getByTestId('council-motions')).toContainText('No open motions.');

  writeFileSync(`${out}/results.json`, JSON.stringify(results, null, 2));
  console.log(`open-to-decrypted for the 1 MiB record: ${timings.map((t) => `${t} ms`).join(', ')}`);
});

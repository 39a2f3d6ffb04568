import { SignedXml } from "xml-crypto";

/**
 * Enveloped XML signatures (XMLDSig) on CAP documents, as CAP 1.2 allows them: RSA-SHA256 over the whole
 * `<alert>` (Reference URI=""), enveloped-signature and exclusive canonicalization transforms, the `<Signature>` as
 * the last child of `<alert>` (the schema's trailing `xs:any` in the dsig namespace).
 */
const DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#";
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const EXCLUSIVE_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/** The signed document. With `certPem`, its certificate is published in `<KeyInfo>` for receivers to identify it. */
export function signCap(xml: string, keyPem: string, certPem: string | null): string {
  const signer = new SignedXml({
    privateKey: keyPem,
    ...(certPem ? { publicCert: certPem } : {}),
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXCLUSIVE_C14N,
  });
  signer.addReference({
    xpath: "/*",
    isEmptyUri: true,
    transforms: [ENVELOPED, EXCLUSIVE_C14N],
    digestAlgorithm: SHA256,
  });
  signer.computeSignature(xml, { location: { reference: "/*", action: "append" } });
  const signed = signer.getSignedXml();
  // The serializer drops the line break after the root element (outside the signed content): keep the input's.
  return xml.endsWith("\n") && !signed.endsWith("\n") ? `${signed}\n` : signed;
}

/**
 * Whether `xml` carries exactly one signature, made with the key of `certOrPublicKeyPem` over the whole document.
 * The key in the document's own `<KeyInfo>` is never trusted. Never throws: malformed input is simply not verified.
 */
export function verifyCap(xml: string, certOrPublicKeyPem: string): boolean {
  const signatures = signatureElements(xml);
  const signature = signatures[0];
  if (signatures.length !== 1 || signature === undefined) return false;
  // Only a signature over the whole document (URI="") proves the alert's text; one over a fragment would not.
  const references = signature.match(/<(?:[\w.-]+:)?Reference[\s>]/g) ?? [];
  if (references.length !== 1 || !/<(?:[\w.-]+:)?Reference\s[^>]*\bURI=""/.test(signature)) return false;
  try {
    const verifier = new SignedXml({ publicCert: certOrPublicKeyPem, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signature);
    return verifier.checkSignature(xml) && verifier.getSignedReferences().length === 1;
  } catch {
    return false;
  }
}

/** How many XML signatures `xml` carries (0: unsigned). */
export function signatureCount(xml: string): number {
  return signatureElements(xml).length;
}

/** The `<Signature>` elements that declare the dsig namespace themselves (as every signature signCap makes does). */
function signatureElements(xml: string): string[] {
  const pattern = /<((?:[\w.-]+:)?)Signature\b[^>]*>[\s\S]*?<\/\1Signature>/g;
  return [...xml.matchAll(pattern)]
    .map((match) => match[0])
    .filter((element) => {
      const start = element.slice(0, element.indexOf(">") + 1);
      return start.includes(`"${DSIG_NAMESPACE}"`);
    });
}

package dev.waterfall.relay.segment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The origin's Ed25519 key for one stream (JDK built-in, no extra library). The key file is PEM:
 * the PKCS#8 private key followed by the SubjectPublicKeyInfo public key (the JDK cannot derive one
 * from the other), so a restarted origin signs with the same key and nodes that already hold the
 * public key keep accepting it. Thread-safe: each signature uses its own {@link Signature} object.
 */
public final class SegmentSigner {

  private static final String ALGORITHM = "Ed25519";
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private final KeyPair keys;

  private SegmentSigner(KeyPair keys) {
    this.keys = keys;
    checkPair();
  }

  public static SegmentSigner generate() {
    try {
      return new SegmentSigner(KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is built into Java 15 and later", e);
    }
  }

  /**
   * Loads the key file, or makes a new key and saves it there (mode 600 where the file system has
   * modes).
   */
  public static SegmentSigner loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return load(file);
    }
    SegmentSigner created = generate();
    try {
      created.save(file, false);
      return created;
    } catch (FileAlreadyExistsException e) {
      return load(file); // another process made it first: use theirs
    }
  }

  public static SegmentSigner load(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    byte[] privateDer = null;
    byte[] publicDer = null;
    Matcher m = PEM_BLOCK.matcher(text);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      if (m.group(1).equals("PRIVATE KEY")) {
        privateDer = der;
      } else if (m.group(1).equals("PUBLIC KEY")) {
        publicDer = der;
      }
    }
    if (privateDer == null || publicDer == null) {
      throw new IOException(file + ": expected a PEM PRIVATE KEY and PUBLIC KEY block");
    }
    try {
      KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
      PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(privateDer));
      PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(publicDer));
      return new SegmentSigner(new KeyPair(publicKey, privateKey));
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new IOException(file + ": not an Ed25519 key pair (" + e.getMessage() + ")", e);
    }
  }

  /** Writes the key file atomically, replacing any existing one. */
  public void save(Path file) throws IOException {
    save(file, true);
  }

  private void save(Path file, boolean replace) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".segment-key", ".tmp");
    try {
      restrictToOwner(temp);
      String pem =
          pem("PRIVATE KEY", keys.getPrivate().getEncoded())
              + pem("PUBLIC KEY", keys.getPublic().getEncoded());
      Files.writeString(temp, pem, StandardCharsets.US_ASCII);
      if (replace) {
        moveAtomically(temp, file);
      } else {
        createNoReplace(temp, file);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  public SignedHeader sign(SegmentHeader header) {
    byte[] encoded = header.encode();
    return new SignedHeader(header, encoded, signBytes(encoded));
  }

  /**
   * The Ed25519 signature over {@code bytes}: for the other signed formats (LL-HLS part headers and
   * init frames), whose first byte keeps them apart from a segment header's.
   */
  public byte[] signBytes(byte[] bytes) {
    try {
      Signature signature = Signature.getInstance(ALGORITHM);
      signature.initSign(keys.getPrivate());
      signature.update(bytes);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  /**
   * X.509 SubjectPublicKeyInfo DER, base64: what nodes get on join and WebCrypto imports as "spki".
   */
  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  public SegmentVerifier verifier() {
    return new SegmentVerifier(publicKeyBase64());
  }

  /**
   * A private key saved with someone else's public key would sign headers no node accepts: refuse
   * it early.
   */
  private void checkPair() {
    try {
      byte[] probe = "waterfall key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(keys.getPrivate());
      signer.update(probe);
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(keys.getPublic());
      verifier.update(probe);
      if (!verifier.verify(signer.sign())) {
        throw new IllegalStateException("the public key does not belong to the private key");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("unusable Ed25519 key: " + e.getMessage(), e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static void restrictToOwner(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): its default ACLs apply.
    }
  }

  /**
   * Never overwrites a key another process made in the meantime: both calls fail if {@code to}
   * exists.
   */
  private static void createNoReplace(Path from, Path to) throws IOException {
    try {
      Files.createLink(to, from);
    } catch (UnsupportedOperationException e) {
      Files.move(from, to);
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

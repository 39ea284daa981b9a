import Domain
import Foundation
import ProcessTestSupport
import ProtoMessages
import RPC
import ServiceKit
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// The kinds of caller of the matrix, in the order of the table's columns. Each is a real
/// credential: users call with an API key of a login written into the service's principal tables,
/// services and the partner system with a mutual-TLS client certificate (``MatrixCallers``).
enum CallerKind: String, CaseIterable, Sendable {
    /// No credential at all.
    case anonymous = "anon"
    /// Account View Only login of the owning account holder A2 (§7.1).
    case viewOnly = "view"
    /// Account Maintenance login of A2, without the optional Generation or Certificate Management
    /// permissions (§7.1).
    case maintenance = "mnt"
    /// Account Supervisor of A2 (§7.1).
    case supervisor = "sup"
    /// Account Manager of A2 (§7.1).
    case manager = "mgr"
    /// Account Manager of another account holder, A3.
    case otherManager = "oth"
    /// A third-party agent login of A2 the administrator approved (§7.2.1): Account Maintenance
    /// with Generation Management and Certificate Management granted for the whole account.
    case agent = "agt"
    /// The same agent login before the administrator's approval (§7.2.1).
    case pendingAgent = "pend"
    /// Manager of the QRE A4, the one the target cells designate (§10, Appendix D Table 27).
    case designatedQRE = "qreD"
    /// Manager of another QRE, A5.
    case otherQRE = "qreO"
    /// Manager of the program administrator A6, which A2 selected for access (§19.3.2, §20).
    case grantedProgram = "paG"
    /// Manager of the program administrator A7, which no account selected.
    case ungrantedProgram = "paN"
    /// Manager of the registry administrator's organization A1 (§3, §7).
    case administrator = "adm"
    /// A compatible tracking system (§17, M-RETS §4.6.2) by its client certificate.
    case partner = "prt"
    /// The deployment's registry, issuance, transfer and reporting services by their certificates.
    case registryService = "reg"
    case issuanceService = "iss"
    case transferService = "trf"
    case reportingService = "rpt"

    /// The case name, for messages (the raw value is the column label).
    var name: String { "\(self)" }

    /// The peer service a certificate caller is, if it is one.
    var peer: PeerService? {
        switch self {
        case .registryService: .registry
        case .issuanceService: .issuance
        case .transferService: .transfer
        case .reportingService: .reporting
        default: nil
        }
    }
}

/// The callers' organizations, logins, keys and certificates, the same in every service (as the
/// registry's feed would have made them).
enum MatrixCallers {
    /// The partner system's id and the name its certificate carries (CN and DNS SAN).
    static let partnerSystemID = "PARTNER-1"
    static let partnerCertificateName = "partner-tracking-system"

    /// The four services by their deployment certificates, plus the partner system.
    static var certificates: CertificateIdentities {
        var identities = CertificateIdentities.deploymentServices
        identities.add(name: partnerCertificateName, .partner(systemID: partnerSystemID))
        return identities
    }

    /// A login of the matrix: who it is and what its key is.
    struct Login: Sendable {
        var kind: CallerKind
        var user: Recs_Registry_V1_User
        var key: ApiKeySecret
    }

    static let organizations: [(id: String, type: Recs_Common_V1_OrganizationType)] = [
        ("A1", .registryAdministrator), ("A2", .accountHolder), ("A3", .accountHolder), ("A4", .qualifiedReportingEntity),
        ("A5", .qualifiedReportingEntity), ("A6", .programAdministrator), ("A7", .programAdministrator),
    ]

    /// One login per user kind of ``CallerKind``, with a fresh key each (one set per test process).
    static let logins: [Login] = {
        func login(
            _ kind: CallerKind, _ number: Int, _ organization: String, _ level: Recs_Registry_V1_AccessLevel,
            agent: Bool = false, status: Recs_Registry_V1_UserStatus = .active, permissions: [Recs_Registry_V1_Permission] = []
        ) -> Login {
            var user = Recs_Registry_V1_User()
            user.userId = "U\(number)"
            user.organizationId = organization
            user.kind = agent ? .thirdPartyAgent : .inOrganization
            user.accessLevel = level
            user.status = status
            user.login = kind.name
            user.permissions = permissions.map { permission in
                var grant = Recs_Registry_V1_PermissionGrant()
                grant.permission = permission
                return grant  // no scope: the whole account (§7)
            }
            return Login(kind: kind, user: user, key: ApiKeySecret.generate(keyID: "K\(number)"))
        }
        let both: [Recs_Registry_V1_Permission] = [.generationManagement, .certificateManagement]
        return [
            login(.administrator, 1, "A1", .manager),
            login(.viewOnly, 2, "A2", .viewOnly),
            login(.maintenance, 3, "A2", .maintenance),
            login(.supervisor, 4, "A2", .supervisor),
            login(.manager, 5, "A2", .manager),
            login(.otherManager, 6, "A3", .manager),
            login(.agent, 7, "A2", .maintenance, agent: true, permissions: both),
            login(.pendingAgent, 8, "A2", .maintenance, agent: true, status: .pendingApproval, permissions: both),
            login(.designatedQRE, 9, "A4", .manager),
            login(.otherQRE, 10, "A5", .manager),
            login(.grantedProgram, 11, "A6", .manager),
            login(.ungrantedProgram, 12, "A7", .manager),
        ]
    }()

    static func login(_ kind: CallerKind) -> Login? { logins.first { $0.kind == kind } }

    /// The registry events that publish the organizations, logins and keys: applied with
    /// ``Principals/apply(_:to:)``, as the registry applies them in its own transactions and the
    /// other services when they follow its feed.
    static var payloads: [Recs_Registry_V1_Event.OneOf_Payload] {
        var payloads: [Recs_Registry_V1_Event.OneOf_Payload] = organizations.map { id, type in
            var organization = Recs_Registry_V1_Organization()
            organization.organizationId = id
            organization.name = "Organization \(id)"
            organization.type = type
            organization.status = .active
            // §19.3.2: A2's access selection names A6 (and not A7).
            if id == "A2" { organization.programAccessOrganizationIds = ["A6"] }
            return .organization(organization)
        }
        for login in logins {
            payloads.append(.user(login.user))
            var key = Recs_Registry_V1_ApiKey()
            key.keyId = login.key.keyID
            key.userId = login.user.userId
            key.organizationId = login.user.organizationId
            key.label = "matrix"
            key.status = .active
            key.secretSha256 = login.key.secretSHA256
            payloads.append(.apiKey(key))
        }
        return payloads
    }

    /// Writes the callers into a service's database and reloads its directory.
    static func install(in database: any Database, directory: PrincipalDirectory) async throws {
        let payloads = Self.payloads
        try await database.transaction { sql in
            for payload in payloads { try Principals.apply(payload, to: &sql) }
        }
        try await directory.refresh(from: database)
    }

    /// Whether `caller`, as the server authenticated it, is the credential of `kind`: the matrix
    /// checks every cell against it, so a wrongly mapped certificate or key cannot pass unnoticed.
    static func matches(_ caller: Caller?, _ kind: CallerKind) -> Bool {
        switch (caller, kind) {
        case (nil, .anonymous), (.anonymous?, .anonymous): return true
        case (.service(let service, _)?, _): return service == kind.peer
        case (.partner(let system, let certificate)?, .partner):
            return system == partnerSystemID && certificate == partnerCertificateName
        case (.user(let user, let keyID)?, _):
            guard let login = login(kind) else { return false }
            return user.userID == login.user.userId && keyID == login.key.keyID
        default: return false
        }
    }
}

/// The TLS material of the matrix: the deployment's directory (scripts/make-deployment-certs.sh,
/// once per test process: `TestDeployment.tlsDirectory`) for the servers and the four services'
/// client certificates, and a partner certificate.
///
/// The deployment's CA key is discarded once its four certificates are signed, so no fifth
/// certificate can be signed by it. The partner system gets what a compatible tracking system has
/// in reality: its own CA and a client certificate from it (CN and DNS SAN `partner-tracking-system`,
/// clientAuth). The matrix's servers trust both CAs for client certificates (`client-cas.pem` =
/// `ca.pem` + the partner's CA) and map the partner's name to `.partner(systemID:)` in their
/// ``CertificateIdentities``, next to the four services under their own names.
enum MatrixTLS {
    static var deployment: String { TestDeployment.tlsDirectory }

    /// The partner's CA, certificate and key, and the client CA bundle of the servers.
    static let partnerDirectory: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recs-matrix-partner-\(getpid())").path
        let script = """
            set -euo pipefail
            mkdir -p "$1"; cd "$1"
            ossl() { openssl "$@" >>openssl.log 2>&1 || { cat openssl.log >&2; exit 1; }; }
            ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out partner-ca.key
            ossl req -x509 -new -key partner-ca.key -sha256 -days 30 -subj "/O=partner tracking system/CN=partner CA" \
              -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out partner-ca.pem
            ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out partner.key
            ossl req -new -key partner.key -subj "/O=partner tracking system/CN=\(MatrixCallers.partnerCertificateName)" -out partner.csr
            printf '%s\\n' "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature" \
              "extendedKeyUsage = clientAuth" "subjectAltName = DNS:\(MatrixCallers.partnerCertificateName)" >partner.ext
            ossl x509 -req -in partner.csr -CA partner-ca.pem -CAkey partner-ca.key -set_serial 0x01 -days 30 -sha256 \
              -extfile partner.ext -out partner.pem
            cat "$2/ca.pem" partner-ca.pem >client-cas.pem
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, "make-partner-certificate", directory, deployment]
        process.standardOutput = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "making the partner certificate with openssl failed")
        return directory
    }()

    /// How a matrix server of `service` (`registry`, `issuance`, ...) serves: its deployment
    /// certificate, client certificates optional (users call with keys only) and verified against
    /// the deployment's CA and the partner's.
    static func server(_ service: String) -> ServerTLSConfiguration {
        ServerTLSConfiguration(
            certificateChainPath: "\(deployment)/\(service).pem", privateKeyPath: "\(deployment)/\(service).key",
            clientCAPath: "\(partnerDirectory)/client-cas.pem", clientCertificates: .optional)
    }

    /// The TLS of `kind`'s client: every client trusts the deployment's CA; services and the
    /// partner present their certificate.
    static func client(_ kind: CallerKind) -> ClientTLSConfiguration {
        if let peer = kind.peer {
            return ClientTLSConfiguration(
                caPath: "\(deployment)/ca.pem", certificateChainPath: "\(deployment)/\(peer.rawValue).pem",
                privateKeyPath: "\(deployment)/\(peer.rawValue).key")
        }
        if kind == .partner {
            return ClientTLSConfiguration(
                caPath: "\(deployment)/ca.pem", certificateChainPath: "\(partnerDirectory)/partner.pem",
                privateKeyPath: "\(partnerDirectory)/partner.key")
        }
        return ClientTLSConfiguration(caPath: "\(deployment)/ca.pem")
    }
}

import Foundation
import Domain
import GRPCWire
import ProtoMessages
import ProtoServices
import RPC
import ServiceKit
import Testing

/// The authorization matrix (issue 7; ADR 0006): every RPC of the four services × every kind of
/// caller, with the outcome the Operating Rules give it (``MatrixTable``, written by hand from the
/// rules, never computed from `AccessPolicy`).
///
/// - **Methods** come from the proto descriptors the generator embeds (``DeclaredMethods``, the
///   `FileDescriptorProto`s of `ProtoDescriptors`), checked against the generated `Method.all` and the
///   served `serviceDefinition`: an RPC added to a .proto without a row fails, and so does a row for
///   a method that does not exist.
/// - **Callers** are real credentials (``CallerKind``, ``MatrixCallers``): API keys of logins written
///   into each service's principal tables with `Principals.apply` (as the registry's feed writes
///   them) for anonymous, View Only, Maintenance, Supervisor and Manager of the owning account A2,
///   the Manager of another account A3, an approved and an unapproved agent of A2, a designated and
///   another QRE, a program administrator granted and one not granted, the registry administrator;
///   mutual-TLS client certificates for a partner tracking system and the four peer services.
/// - **A cell** is a call over the wire (TLS, a real client, the service with its use cases on
///   SQLite, `AccessControl` on) with an empty request. Refused: UNAUTHENTICATED (1001) or
///   PERMISSION_DENIED with the rule code in `recs-error-details-bin`, and refused by the
///   interception point (``AdmissionRecorder``). Admitted: the interception point admitted it as the
///   intended caller; a method not built yet then answers UNIMPLEMENTED (so an unbuilt cell shows the
///   refusal authorization gives before UNIMPLEMENTED), a built one anything else: an empty request
///   usually ends in INVALID_ARGUMENT or NOT_FOUND, which is not this test's business.
///
/// The interception point is the coarse layer: it knows the caller and the method's action, not the
/// record. The Manager of the owning organization and the Manager of another organization, the
/// designated and another QRE, the program administrator granted access and the one not granted
/// (grants are not stored yet, so even the use cases cannot tell them apart) have the same coarse
/// outcome; they differ in the use cases, on the record. ``TargetTable`` shows that for the built
/// methods whose check needs nothing stored (the request names the target).
///
/// Cells where the implementation disagrees with the rules are listed in
/// ``MatrixTable/disagreements`` and recorded as known issues.
@Suite("authorization matrix")
struct AuthorizationMatrixTests {
    typealias Grid = [String: [CallerKind: Expected]]

    struct GridError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads a grid: a header naming the columns in ``CallerKind`` order, then one line per rule.
    static func parse(_ text: String) throws -> Grid {
        let lines = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        guard let header = lines.first, header.dropFirst().map(String.init) == CallerKind.allCases.map(\.rawValue) else {
            throw GridError(description: "the header must name the columns \(CallerKind.allCases.map(\.rawValue))")
        }
        var grid: Grid = [:]
        for line in lines.dropFirst() {
            guard let label = line.first.map(String.init), line.count == CallerKind.allCases.count + 1 else {
                throw GridError(description: "line \(line.joined(separator: " ")) has not one outcome per column")
            }
            guard grid[label] == nil else { throw GridError(description: "\(label) has two lines") }
            var outcomes: [CallerKind: Expected] = [:]
            for (kind, text) in zip(CallerKind.allCases, line.dropFirst()) {
                guard let outcome = Expected(text) else { throw GridError(description: "\(label): \"\(text)\" is neither ok nor a code") }
                outcomes[kind] = outcome
            }
            grid[label] = outcomes
        }
        return grid
    }

    @Test("the tables: one line per rule and per target cell, every outcome ok or a rule code")
    func tablesParse() throws {
        let grid = try Self.parse(MatrixTable.grid)
        #expect(Set(grid.keys) == Set(MatrixTable.Rule.allCases.map(\.rawValue)))
        let targets = try Self.parse(TargetTable.grid)
        #expect(Set(targets.keys) == Set(TargetCell.all.map(\.name)))
        for outcomes in Array(grid.values) + Array(targets.values) {
            for case .refused(let code) in outcomes.values {
                #expect((1001...1009).contains(code) || code == 904, "\(code) is not a refusal of authorization")
            }
        }
        for disagreement in MatrixTable.disagreements {
            let rows = MatrixTable.rows[disagreement.service]?.map(\.method) ?? []
            for method in disagreement.methods {
                #expect(rows.contains(method), "disagreement about \(disagreement.service)/\(method), which has no row")
            }
        }
        #expect(Set(TargetTable.disagreements.keys).isSubset(of: Set(targets.keys)))
    }

    /// The methods built here are the ones the descriptor compatibility check protects
    /// (Protos/baseline/built-methods.txt, scripts/check-descriptors.sh): a method that becomes
    /// built must be added there too, so its messages cannot then change incompatibly unnoticed.
    @Test("the built methods here are the built methods of Protos/baseline/built-methods.txt")
    func builtMethodsAgreeWithTheBaseline() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protos/baseline/built-methods.txt")
        let listed = Set(
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "" }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let built = Set(MatrixTable.rows.flatMap { service, rows in rows.filter(\.built).map { "\(service)/\($0.method)" } })
        #expect(built.subtracting(listed).sorted() == [], "built here, missing from built-methods.txt")
        #expect(listed.subtracting(built).sorted() == [], "in built-methods.txt, not built here")
    }

    @Test("every RPC × every kind of caller, over the wire", arguments: ServiceUnderTest.allCases)
    func matrix(service: ServiceUnderTest) async throws {
        let grid = try Self.parse(MatrixTable.grid)
        let targetGrid = try Self.parse(TargetTable.grid)
        let declared = try DeclaredMethods.of(service.qualifiedName)
        try #require(!declared.isEmpty, "no embedded descriptor declares \(service.qualifiedName)")
        let descriptors = declared.map { MethodDescriptor(service: $0.service, method: $0.name, kind: $0.kind) }

        // Every declared method has exactly one row, and every row a declared method.
        let rows = MatrixTable.rows[service.qualifiedName] ?? []
        var rowByMethod: [String: MatrixTable.Row] = [:]
        for row in rows {
            if rowByMethod[row.method] != nil { Issue.record("MatrixTable.rows has two rows for \(service.qualifiedName)/\(row.method)") }
            rowByMethod[row.method] = row
        }
        for method in declared where rowByMethod[method.name] == nil {
            Issue.record("\(method.path) (\(method.kind)) has no row in the authorization matrix: add one to MatrixTable.rows")
        }
        for row in rows where !declared.contains(where: { $0.name == row.method }) {
            Issue.record("MatrixTable.rows has a row for /\(service.qualifiedName)/\(row.method), which the proto does not declare")
        }
        // The generated client descriptors say the same as the proto's.
        #expect(
            Set(service.generatedMethods) == Set(descriptors),
            "generated Method.all differs from the proto descriptors: \(Set(service.generatedMethods).symmetricDifference(descriptors))")

        let disagreements = MatrixTable.disagreements.filter { $0.service == service.qualifiedName }
        let targetCells = TargetCell.all.filter { $0.service == service }

        try await withMatrixServer(service) { server in
            // The served service registers the same methods (a handler for each).
            #expect(
                Set(server.served) == Set(descriptors),
                "served methods differ from the proto descriptors: \(Set(server.served).symmetricDifference(descriptors))")

            var calls: [(cell: String, method: MethodDescriptor, kind: CallerKind, request: [UInt8])] = []
            for descriptor in descriptors where rowByMethod[descriptor.method] != nil {
                for kind in CallerKind.allCases { calls.append((Self.cell(descriptor, kind), descriptor, kind, [])) }
            }
            for target in targetCells {
                for kind in CallerKind.allCases { calls.append(("\(target.name)#\(kind.rawValue)", target.method, kind, target.request(kind))) }
            }
            let observed = await server.run(calls)

            // The coarse cells.
            var heldDisagreements = Set<Int>()
            var brokenDisagreements = Set<Int>()
            for descriptor in descriptors {
                guard let row = rowByMethod[descriptor.method], let outcomes = grid[row.rule.rawValue] else { continue }
                for kind in CallerKind.allCases {
                    let cell = Self.cell(descriptor, kind)
                    guard let observation = observed[cell], let rules = outcomes[kind] else {
                        Issue.record("\(cell): no observation")
                        continue
                    }
                    let place = "\(descriptor.path) × \(kind.name) [\(row.rule.rawValue)\(row.built ? "" : ", not built")]"
                    let disagreement = disagreements.indices.first { index in
                        disagreements[index].methods.contains(descriptor.method) && disagreements[index].implementation[kind] != nil
                    }
                    guard let index = disagreement, let implementation = disagreements[index].implementation[kind] else {
                        if let problem = Self.problem(observation, expected: rules, built: row.built, kind: kind) {
                            Issue.record("\(place): the rules say \(rules); \(problem)")
                        }
                        continue
                    }
                    if Self.problem(observation, expected: implementation, built: row.built, kind: kind) == nil {
                        heldDisagreements.insert(index)
                    } else {
                        brokenDisagreements.insert(index)
                        if Self.problem(observation, expected: rules, built: row.built, kind: kind) == nil {
                            Issue.record("\(place): now follows the rules (\(rules)); remove the entry of MatrixTable.disagreements")
                        } else {
                            Issue.record("\(place): expected \(implementation) (a known disagreement) or \(rules); got \(observation)")
                        }
                    }
                }
            }
            for index in heldDisagreements.subtracting(brokenDisagreements).sorted() {
                let entry = disagreements[index]
                withKnownIssue(Comment(rawValue: entry.why)) {
                    Issue.record("implementation differs from the rules for \(entry.methods.joined(separator: ", ")) × \(entry.implementation.keys.map(\.name).sorted())")
                }
            }

            // The target cells.
            for target in targetCells {
                guard let outcomes = targetGrid[target.name] else { continue }
                let coarseRow = rowByMethod[target.method.method]
                var disagreementHeld = true
                for kind in CallerKind.allCases {
                    let cell = "\(target.name)#\(kind.rawValue)"
                    guard let observation = observed[cell], let rules = outcomes[kind], let coarseRow,
                        var coarse = grid[coarseRow.rule.rawValue]?[kind]
                    else {
                        Issue.record("\(cell): no observation or no coarse row")
                        continue
                    }
                    if let entry = disagreements.first(where: { $0.methods.contains(target.method.method) }), let known = entry.implementation[kind] {
                        coarse = known
                    }
                    let known = TargetTable.disagreements[target.name]
                    let expected = known?.implementation[kind] ?? rules
                    let place = "\(target.name) (\(target.method.path)) × \(kind.name)"
                    if let problem = Self.targetProblem(observation, expected: expected, coarse: coarse, kind: kind) {
                        disagreementHeld = false
                        if expected != rules, Self.targetProblem(observation, expected: rules, coarse: coarse, kind: kind) == nil {
                            Issue.record("\(place): now follows the rules (\(rules)); remove it from TargetTable.disagreements")
                        } else {
                            Issue.record("\(place): expected \(expected); \(problem)")
                        }
                    }
                }
                if let known = TargetTable.disagreements[target.name], disagreementHeld {
                    withKnownIssue(Comment(rawValue: known.why)) {
                        Issue.record("target cell \(target.name) differs from the rules for \(known.implementation.keys.map(\.name).sorted())")
                    }
                }
            }
        }
    }

    static func cell(_ method: MethodDescriptor, _ kind: CallerKind) -> String { "\(method.path)#\(kind.rawValue)" }

    /// Whether the call never reached the interception point, reached it as another method, or was
    /// authenticated as somebody else than the cell's caller (a wrongly mapped certificate or key).
    static func wrongCall(_ observation: Observation, _ kind: CallerKind) -> String? {
        guard let admission = observation.admission else { return "the call never reached the interception point: \(observation)" }
        guard admission.path == observation.path else { return "the interception point saw \(admission.path), not \(observation.path)" }
        guard MatrixCallers.matches(admission.caller, kind) else {
            return "the server authenticated \(admission.caller.map { "\($0)" } ?? "nobody"), not the \(kind.name) credential"
        }
        return nil
    }

    /// What is wrong with `observation` for a coarse cell expected to be `expected`; nil when right.
    static func problem(_ observation: Observation, expected: Expected, built: Bool, kind: CallerKind) -> String? {
        if let wrong = wrongCall(observation, kind) { return wrong }
        guard let admission = observation.admission else { return "got \(observation)" }
        switch expected {
        case .admitted:
            guard admission.admitted else { return "got \(observation)" }
            if !built, observation.code != .unimplemented { return "a method not built yet must answer UNIMPLEMENTED; got \(observation)" }
            if built, observation.code == .unimplemented { return "a built method answered \(observation); mark its row not built?" }
            return nil
        case .refused(let code):
            let status: StatusCode = code == 1001 ? .unauthenticated : .permissionDenied
            guard !admission.admitted, observation.code == status, observation.violations.contains(code) else { return "got \(observation)" }
            return nil
        }
    }

    /// What is wrong with `observation` for a target cell; `coarse` is the cell's coarse outcome,
    /// which says at which layer a refusal must come.
    static func targetProblem(_ observation: Observation, expected: Expected, coarse: Expected, kind: CallerKind) -> String? {
        if let wrong = wrongCall(observation, kind) { return wrong }
        guard let admission = observation.admission else { return "got \(observation)" }
        switch expected {
        case .admitted:
            guard admission.admitted, observation.code != .permissionDenied, observation.code != .unauthenticated else {
                return "got \(observation)"
            }
            return nil
        case .refused(let code):
            let status: StatusCode = code == 1001 ? .unauthenticated : .permissionDenied
            guard observation.code == status, observation.violations.contains(code) else { return "got \(observation)" }
            switch coarse {
            case .admitted where !admission.admitted:
                return "the coarse table admits this caller, so the use case must refuse it; got \(observation)"
            case .refused(let coarseCode) where coarseCode != code:
                return "the coarse table refuses this caller with \(coarseCode) at the interception point; the target table says \(code)"
            case .refused where admission.admitted:
                return "expected the interception point to refuse; got \(observation)"
            default:
                return nil
            }
        }
    }
}

/// A built method called with a request naming its target (the organization acted on, the
/// reporter), for ``TargetTable``: the use case checks it before it needs any stored data.
struct TargetCell: Sendable {
    var name: String
    var service: ServiceUnderTest
    var method: MethodDescriptor
    var request: @Sendable (CallerKind) -> [UInt8]

    static let all: [TargetCell] = [
        // §7.3, §19.3.2: the holdings summary of A2.
        TargetCell(name: "holdingsOfA2", service: .transfer, method: Recs_Transfer_V1_TransferService.Method.getHoldingsSummary) { _ in
            var request = Recs_Transfer_V1_GetHoldingsSummaryRequest()
            request.organizationId = "A2"
            return request.protobufBytes()
        },
        // §5.3, §7.1 Generation Management, §7.3: a unit registered for A2 (its static data is then
        // found empty: INVALID_ARGUMENT after the check).
        TargetCell(name: "unitOfA2", service: .registry, method: Recs_Registry_V1_RegistryService.Method.registerGeneratingUnit) { kind in
            var request = Recs_Registry_V1_RegisterGeneratingUnitRequest()
            request.requestId = "matrix-unit-\(kind.rawValue)"
            request.organizationId = "A2"
            request.depositSubaccountId = "1234ABCD-55ZZ"
            request.staticData = Recs_Registry_V1_GeneratingUnitStaticData()
            return request.protobufBytes()
        },
        // Appendix D §6.1, Table 27: a generation file loaded as reporting entity A4.
        TargetCell(name: "uploadAsA4", service: .issuance, method: Recs_Issuance_V1_IssuanceService.Method.uploadGenerationFile) { kind in
            var request = Recs_Issuance_V1_UploadGenerationFileRequest()
            request.requestId = "matrix-upload-\(kind.rawValue)"
            request.reporterOrganizationId = "A4"
            return request.protobufBytes()
        },
    ]
}

import Domain
import ProtoMessages

/// How enum values are spelled in the registry's columns, and conversions to and from the domain.
enum RegistryCodes {
    static func name(_ type: Recs_Common_V1_OrganizationType) -> String {
        switch type {
        case .accountHolder: "account_holder"
        case .qualifiedReportingEntity: "qualified_reporting_entity"
        case .programAdministrator: "program_administrator"
        case .registryAdministrator: "registry_administrator"
        case .unspecified: "unspecified"
        case .unrecognized(let value): "unrecognized_\(value)"
        }
    }

    static func name(_ status: Recs_Registry_V1_OrganizationStatus) -> String {
        switch status {
        case .active: "active"
        case .inactive: "inactive"
        case .terminated: "terminated"
        case .unspecified: "unspecified"
        case .unrecognized(let value): "unrecognized_\(value)"
        }
    }

    static func name(_ kind: Recs_Common_V1_SubaccountKind) -> String {
        switch kind {
        case .active: "active"
        case .retirement: "retirement"
        case .reserve: "reserve"
        case .export: "export"
        case .unspecified: "unspecified"
        case .unrecognized(let value): "unrecognized_\(value)"
        }
    }

    static func proto(_ kind: SubaccountKind) -> Recs_Common_V1_SubaccountKind {
        switch kind {
        case .active: .active
        case .retirement: .retirement
        case .reserve: .reserve
        case .export: .export
        }
    }

    static func name(_ status: Recs_Registry_V1_GeneratingUnitStatus) -> String {
        switch status {
        case .registered: "registered"
        case .approved: "approved"
        case .inactive: "inactive"
        case .suspended: "suspended"
        case .terminated: "terminated"
        case .unspecified: "unspecified"
        case .unrecognized(let value): "unrecognized_\(value)"
        }
    }

    static func name(_ unitClass: Recs_Common_V1_GeneratingUnitClass) -> String {
        switch unitClass {
        case .a: "A"
        case .b: "B"
        case .c: "C"
        case .d: "D"
        case .e: "E"
        case .f: "F"
        case .g: "G"
        case .h: "H"
        case .i: "I"
        case .j: "J"
        case .unspecified: "unspecified"
        case .unrecognized(let value): "unrecognized_\(value)"
        }
    }

    static func proto(_ unitClass: GeneratingUnitClass) -> Recs_Common_V1_GeneratingUnitClass {
        switch unitClass {
        case .a: .a
        case .b: .b
        case .c: .c
        case .d: .d
        case .e: .e
        case .f: .f
        case .g: .g
        case .h: .h
        case .i: .i
        case .j: .j
        }
    }

    static func domain(_ unitClass: Recs_Common_V1_GeneratingUnitClass) -> GeneratingUnitClass? {
        GeneratingUnitClass(rawValue: name(unitClass))
    }

    static func name(_ type: Recs_Common_V1_ReportingEntityType) -> String {
        switch type {
        case .balancingAuthorityOperator: "balancing_authority_operator"
        case .qualifiedReportingEntity: "qualified_reporting_entity"
        case .accountHolder: "account_holder"
        case .unspecified: "unspecified"
        case .unrecognized(let value): "unrecognized_\(value)"
        }
    }
}

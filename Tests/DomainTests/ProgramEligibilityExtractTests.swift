import Testing

@testable import Domain

@Suite("Program eligibility extract (Appendix C §3-§5, Tables 6-23)")
struct ProgramEligibilityExtractTests {
    let californiaHeader = "Program,UNITID,Attribute1,Attribute2,Attribute3,Attribute4,Attribute5,Attribute6\n"
    let coloradoHeader = "Program,UnitID,Eligible,Certification Number,Good Thru Date MM/YYYY\n"

    @Test("Appendix C Table 9: a California line with its six attributes")
    func california() throws {
        let records = try ProgramEligibilityExtract.parse(californiaHeader + "CA,W14,Y,CA5555,12/2009,N,Y,N\n")
        let record = try #require(records.first)
        #expect(record.program == .california)
        #expect(record.unit.description == "W14")
        #expect(record.eligible)
        #expect(record.certificationNumber == "CA5555")
        #expect(record.goodThrough == Fixture.vintage("12/2009"))
        #expect(record.supplementalPaymentReceived == false)
        #expect(record.supplementalEnergyPaymentEligible == true)
        #expect(record.repowered == false)
        #expect(record.fuelType == nil)
    }

    @Test("Appendix C Table 13: Colorado's three attributes; column labels are free text")
    func colorado() throws {
        let records = try ProgramEligibilityExtract.parse(coloradoHeader + "CO,W14,Y,CO5555,12/2009\nco,12345,n,X1,01/2010\n")
        #expect(records.map(\.eligible) == [true, false])
        #expect(records.map(\.unit.description) == ["W14", "12345"])
        #expect(records.allSatisfy { $0.supplementalPaymentReceived == nil })
    }

    @Test("Appendix C Table 19: Oregon carries the unit's fuel type")
    func oregon() throws {
        let records = try ProgramEligibilityExtract.parse("Program,UNITID,Fuel Type,A1,A2,A3\nOR,W7,WND,Y,OR1,06/2030\n")
        #expect(records.first?.fuelType == .wind)
        let rejection = violations { () throws(RuleViolations) in
            try ProgramEligibilityExtract.parse("Program,UNITID,Fuel Type,A1,A2,A3\nOR,W7,XYZ,Y,OR1,06/2030\n")
        }
        #expect(rejection?.codes == [.fuelTypeUnknown])
        #expect(rejection?.violations.first?.field == "Fuel Type")
    }

    @Test("Appendix C Tables 20-22: voluntary programs have two attributes", arguments: ["GREENE", "ECOLOGO", "LIHYDRO"])
    func voluntary(code: String) throws {
        let records = try ProgramEligibilityExtract.parse("Program,UNITID,A1,A2\n\(code),W1,Y,ABC123\n")
        #expect(records.first?.program.code == code)
        #expect(records.first?.goodThrough == nil)
    }

    @Test("issue 8: codes are ASCII; a look-alike that Unicode upper-cases to a code is refused")
    func asciiCodesOnly() {
        // "lıhydro" (dotless ı) and "ſo1" (long s) upper-case to LIHYDRO and SO1 in Unicode; both were accepted.
        let program = violations { () throws(RuleViolations) in try ProgramEligibilityExtract.parse("Program,UNITID,A1,A2\nl\u{131}hydro,W1,Y,ABC123\n") }
        #expect(program?.codes == [.programUnknown])
        let fuel = violations { () throws(RuleViolations) in try ProgramEligibilityExtract.parse("Program,UNITID,Fuel Type,A1,A2,A3\nOR,W7,\u{17F}o1,Y,OR1,06/2030\n") }
        #expect(fuel?.codes == [.fuelTypeUnknown])
        #expect(fuel?.violations.first?.field == "Fuel Type")
        #expect((try? ProgramEligibilityExtract.parse("Program,UNITID,Fuel Type,A1,A2,A3\nor,W7,so1,Y,OR1,06/2030\n"))?.first?.fuelType == .solar)
    }

    @Test("Appendix C §5.1, Table 23: an untracked program rejects the file", arguments: ["ZZ", "", "GREEN-E"])
    func unknownProgram(code: String) {
        let rejection = violations { () throws(RuleViolations) in try ProgramEligibilityExtract.parse(coloradoHeader + "\(code),W14,Y,CO5555,12/2009\n") }
        #expect(rejection?.codes == [.programUnknown])
        #expect(rejection?.violations.first?.section == "Appendix C §5.1, Table 23")
    }

    @Test("Appendix C Table 23: programs without defined attributes (Utah, SMUD) are refused", arguments: ["UT", "SMUD"])
    func undefinedLayout(code: String) {
        let rejection = violations { () throws(RuleViolations) in try ProgramEligibilityExtract.parse(coloradoHeader + "\(code),W14,Y,X1,12/2009\n") }
        #expect(rejection?.codes == [.programLayoutUndefined])
    }

    @Test("Appendix C §3: the example file's Colorado layout (fuel type plus extra attributes) does not match Table 13")
    func documentExample() {
        let text = "Program,UnitID,FuelType,Program Y or N,Certification Number, Good Thru Date MM/YYYY, Other Program,Attribute5,Attribute6\nCO,W14,SO1,Y,CO5555,12/2009,N,N,N\n"
        #expect(violations { () throws(RuleViolations) in try ProgramEligibilityExtract.parse(text) }?.codes == [.headerNonconforming])
    }

    @Test("Appendix C §3: the header must start with Program and UNITID", arguments: ["UNITID,Program,A,B,C", "Prog,UNITID,A,B,C"])
    func headerNames(header: String) {
        #expect(violations { () throws(RuleViolations) in try ProgramEligibilityExtract.parse(header + "\nCO,W14,Y,CO5555,12/2009\n") }?.codes == [.headerNonconforming])
    }

    @Test(
        "Appendix C Tables 6-23: each field validation, located by line and field",
        arguments: [
            ("CO,W14,Y,CO5555", RuleViolation.Code.fieldCountMismatch, nil as String?),
            ("CA,W14,Y,CO5555,12/2009", .programMixed, "Program"),
            ("CO,W-14,Y,CO5555,12/2009", .generatingUnitIDMalformed, "UNITID"),
            ("CO,W14,Yes,CO5555,12/2009", .yesNoMalformed, "Attribute1"),
            ("CO,W14,,CO5555,12/2009", .valueMissing, "Attribute1"),
            ("CO,W14,Y,CO-5555,12/2009", .certificationNumberMalformed, "Attribute2"),
            ("CO,W14,Y,ABCDEFGHIJK,12/2009", .valueTooLong, "Attribute2"),
            ("CO,W14,Y,CO5555,2009-12", .vintageMalformed, "Attribute3"),
            ("CO,W14,Y,CO5555,", .valueMissing, "Attribute3"),
        ])
    func fieldValidation(line: String, code: RuleViolation.Code, field: String?) {
        let rejection = violations { () throws(RuleViolations) in
            try ProgramEligibilityExtract.parse(coloradoHeader + "CO,W1,Y,CO1,01/2030\n" + line + "\n")
        }
        #expect(rejection?.codes == [code], "\(rejection?.description ?? "")")
        #expect(rejection?.violations.first?.line == 3)
        #expect(rejection?.violations.first?.field == field)
    }

    @Test("Appendix C Table 23: every unit must have assigned the program administrator")
    func unitsGranting() throws {
        let text = coloradoHeader + "CO,W1,Y,CO1,01/2030\nCO,W2,Y,CO2,01/2030\nCO,W3,N,CO3,01/2030\n"
        let allowed: Set<GeneratingUnitID> = [try GeneratingUnitID(parsing: "W1"), try GeneratingUnitID(parsing: "W3")]
        let rejection = violations { () throws(RuleViolations) in try ProgramEligibilityExtract.parse(text, unitsGrantingProgramAdministrator: allowed) }
        #expect(rejection?.codes == [.unitNotAssignedToProgram])
        #expect(rejection?.lines == [3])
        let granted = allowed.union([try GeneratingUnitID(parsing: "W2")])
        #expect(try ProgramEligibilityExtract.parse(text, unitsGrantingProgramAdministrator: granted).count == 3)
    }

    @Test("Appendix C Table 23: a unit listed twice in one file is refused")
    func repeatedUnit() {
        let rejection = violations { () throws(RuleViolations) in
            try ProgramEligibilityExtract.parse(coloradoHeader + "CO,W1,Y,CO1,01/2030\nCO,W2,Y,CO2,01/2030\nCO,w1,N,CO1,01/2030\n")
        }
        #expect(rejection?.codes == [.unitRepeated])
        #expect(rejection?.violations.first?.message.contains("line 2") == true)
    }

    @Test("Appendix C §5.1: all violations of all lines are reported together")
    func collectsEverything() {
        let rejection = violations { () throws(RuleViolations) in
            try ProgramEligibilityExtract.parse(coloradoHeader + "CO,W1,X,CO1,13/2030\nCO,W2,Y,CO2,01/2030\nCO,,Y,C O,01/2030\n")
        }
        #expect(rejection?.lines == [2, 4])
        #expect(rejection?.codes == [.yesNoMalformed, .vintageMalformed, .generatingUnitIDMalformed, .certificationNumberMalformed])
    }
}

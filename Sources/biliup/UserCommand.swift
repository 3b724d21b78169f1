import ArgumentParser
import BiliupServer
import BiliupStore
import Foundation

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage who may log in to the API and web page.",
        subcommands: [Add.self, List.self, Remove.self, Password.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user. The password is read from standard input (one line) or asked for on a terminal.",
            discussion: "The first user is an admin (admins also manage users and API tokens). Passwords are kept as bcrypt hashes.")
        @OptionGroup var data: DataDirectory
        @Flag(help: "Make the user an admin (the first user always is).") var admin = false
        @Argument(help: "The user's login name.") var name: String

        func run() throws {
            let store = try data.store()
            let password = try readNewPassword()
            let first = try store.userCount() == 0
            do {
                try store.addUser(UserRecord(name: name, passwordHash: Secrets.hashPassword(password), admin: admin || first))
            } catch let error as StoreError {
                throw ValidationError(error.message)
            }
            print("user '\(name)' added\(admin || first ? " (admin)" : "")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var data: DataDirectory

        func run() throws {
            for u in try data.store().users() { print(u.name + (u.admin ? " (admin)" : "")) }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user (and end their logins).")
        @OptionGroup var data: DataDirectory
        @Argument var name: String

        func run() throws {
            let (store, id) = try data.user(named: name)
            do { try store.deleteUser(id: id) } catch let error as StoreError { throw ValidationError(error.message) }
            print("user '\(name)' removed")
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (read as for `add`); their logins end.")
        @OptionGroup var data: DataDirectory
        @Argument var name: String

        func run() throws {
            let (store, id) = try data.user(named: name)
            try store.updateUser(id: id, passwordHash: Secrets.hashPassword(try readNewPassword()))
            print("password of '\(name)' changed")
        }
    }
}

/// `--data-dir`, and the store in it.
struct DataDirectory: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Data directory.", valueName: "DIR")) var path = "data"

    func store() throws -> Store { try openStore(dataDirectory: path) }

    /// The store and the id of the user called `name`, or a usage error naming them.
    func user(named name: String) throws -> (Store, Int64) {
        let store = try store()
        guard let id = try store.user(named: name)?.id else { throw ValidationError("no user '\(name)'") }
        return (store, id)
    }
}

/// A password from a terminal prompt (asked twice, not echoed) or the first line of standard input.
private func readNewPassword() throws -> String {
    let password: String
    if isatty(STDIN_FILENO) != 0 {
        guard let first = getpass("Password: ").map({ String(cString: $0) }),
              let again = getpass("Again: ").map({ String(cString: $0) }) else { throw ValidationError("no password given") }
        guard first == again else { throw ValidationError("the two passwords differ") }
        password = first
    } else {
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
        password = line
    }
    if let why = Secrets.weakness(of: password) { throw ValidationError(why) }
    return password
}

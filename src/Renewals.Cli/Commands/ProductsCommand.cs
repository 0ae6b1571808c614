using System.CommandLine;
using Renewals.Core.Catalog;
using Renewals.Domain.Text;
using static Renewals.Cli.Commands.Operations;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals products add|list</c>: the catalogue, each product in a family, with its yearly list price.</summary>
internal static class ProductsCommand
{
    public static Command Create(CliContext context)
    {
        var text = context.Text;
        var code = TextOption("--code", text["Products.Code"], "CODE");
        var name = TextOption("--name", text["Products.Name"]);
        var family = TextOption("--family", text["Products.Family"]);
        var price = Amount("--price", text["Products.Price"], text);
        var currency = TextOption("--currency", text["Products.Currency"], "EUR");
        var addFormat = Format(text);
        var add = new Command("add", text["Products.Add.Description"]) { code, name, family, price, currency, addFormat };
        CommonOptions.Require(add, text, code, name, family);
        add.SetAction(async (parse, ct) =>
        {
            var givenPrice = parse.GetValue(price);
            var givenCurrency = parse.GetValue(currency);
            var product = await WithAsync(context, (ProductService service) => service.AddAsync(new NewProduct(
                parse.GetValue(code)!, parse.GetValue(name)!, parse.GetValue(family)!, givenPrice,
                givenPrice is not null && givenCurrency is null ? "EUR" : givenCurrency), ct), ct);
            if (!WroteJson(parse, addFormat, product))
            {
                Say(context, text.Format("Products.Added", product.Code, product.Name, product.Family, Price(product, text)));
            }

            return RenewalsCli.Ok;
        });

        var listFormat = Format(text);
        var list = new Command("list", text["Products.List.Description"]) { listFormat };
        list.SetAction(async (parse, ct) =>
        {
            var products = await WithAsync(context, (ProductService service) => service.ListAsync(ct), ct);
            if (!WroteJson(parse, listFormat, new { products }))
            {
                var table = Table(text, "Products.Column.Code", "Products.Column.Name", "Products.Column.Family", "Products.Column.Price");
                foreach (var p in products)
                {
                    Row(table, p.Code, p.Name, p.Family, Price(p, text));
                }

                Write(context, table);
            }

            return RenewalsCli.Ok;
        });

        return new Command("products", text["Products.Description"]) { add, list };
    }

    private static string Price(ProductView product, Text.CliText text) =>
        product.YearlyUnitPrice is { } price && product.Currency is { } currency ? MoneyText.Format(price, currency, text.Culture) : text["Products.NoPrice"];
}

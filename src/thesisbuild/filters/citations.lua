-- Runs after citeproc, for every output. With thesisbuild-narrative-and set (e.g. "dan"), a
-- narrative citation's "&" between authors is written as that word: "Khan dan Siraj (2021)";
-- parenthetical citations keep the style's "&".

local word = nil

function Meta(meta)
  if meta["thesisbuild-narrative-and"] then
    word = pandoc.utils.stringify(meta["thesisbuild-narrative-and"])
  end
end

function Cite(el)
  if word == nil or word == "&" then return nil end
  if el.citations[1].mode ~= "AuthorInText" then return nil end
  el.content = el.content:walk({
    Str = function(s)
      if s.text == "&" then return pandoc.Str(word) end
    end,
  })
  return el
end

return {{Meta = Meta}, {Cite = Cite}}

-- DOCX-only adjustments to pandoc's AST, driven by metadata that thesisbuild passes:
--   thesisbuild-chapter-layout: "two-line" puts the chapter title on the line after "BAB I"
--     (the number itself comes from Word's heading numbering in the reference document);
--   unnumbered headings become Heading paragraphs with numbering switched off.

local layout = "two-line"

local function xml_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

function Meta(meta)
  if meta["thesisbuild-chapter-layout"] then
    layout = pandoc.utils.stringify(meta["thesisbuild-chapter-layout"])
  end
end

local bookmark = 0

function Header(el)
  if el.classes:includes("unnumbered") then
    bookmark = bookmark + 1
    local text = xml_escape(pandoc.utils.stringify(el.content))
    local id = xml_escape(el.identifier)
    return pandoc.RawBlock("openxml", string.format(
      '<w:p><w:pPr><w:pStyle w:val="Heading%d"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr></w:pPr>'
      .. '<w:bookmarkStart w:id="%d" w:name="%s"/><w:r><w:t xml:space="preserve">%s</w:t></w:r>'
      .. '<w:bookmarkEnd w:id="%d"/></w:p>', el.level, 90000 + bookmark, id, text, 90000 + bookmark))
  end
  if el.level == 1 and layout == "two-line" then
    el.content:insert(1, pandoc.LineBreak())
    return el
  end
end

return {{Meta = Meta}, {Header = Header}}
